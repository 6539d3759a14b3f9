# Turns Maven's batch output (mvn -B dependency:copy-dependencies, see bootstrap.sh) into
# progress lines while the Kafka jars are fetched: the first fetch takes ~50 MB from Maven
# Central and would otherwise be a silent minute or more. The full output goes to the log.
#
#   tty=1  one line redrawn in place (a terminal)
#   tty=0  a line per jar, and a line per 40 other files (a log, CI, a pipe)
#
# Maven prints, per file:
#   [INFO] Downloaded from central: https://repo.maven.apache.org/.../kafka-clients-3.9.1.jar (6.1 MB at 2.3 MB/s)
function megabytes(amount, unit) {
  if (unit == "B") return amount / 1000000
  if (unit == "kB") return amount / 1000
  if (unit == "MB") return amount
  if (unit == "GB") return amount * 1000
  return 0
}

function show(text) {
  if (tty) printf "\r\033[K[bootstrap] kafka jars: %s", text
  else printf "[bootstrap] kafka jars: %s\n", text
  fflush()
  shown = 1
}

/Downloaded from [^ ]+: / {
  url = $0
  sub(/.*Downloaded from [^ ]+: /, "", url)
  size = url
  sub(/ .*/, "", url)
  # "(6.1 MB at 2.3 MB/s)" -> amount 6.1, unit MB
  sub(/^[^(]*\(/, "", size)
  split(size, part, " ")
  mb += megabytes(part[1] + 0, part[2])
  files++
  name = url
  sub(/.*\//, "", name)
  if (name ~ /\.jar$/) {
    jars++
    show(sprintf("jar %d %s · %.1f MB in %d files so far", jars, name, mb, files))
  } else if (tty || files % 40 == 0) {
    show(sprintf("resolving %s · %.1f MB in %d files so far", name, mb, files))
  }
}

END {
  if (shown && tty) printf "\n"
}
