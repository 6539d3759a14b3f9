#!/bin/sh
# Creates khiw's Kafka topics when missing; safe to run again. Runs in the apache/kafka
# image (kafka-topics.sh): the k8s Job (k8s/kafka-topics-job.yaml) and docker-compose.yml.
# Names, partitions and settings mirror packages/kafka/src/topics.ts; change both together.
#
# KAFKA_BROKERS             host:port[,host:port]  (required)
# KHIW_NAMESPACE            topic prefix, empty in production
# KAFKA_REPLICATION_FACTOR  3 in production, 1 on a single broker
# KAFKA_PARTITIONS          12: the upper bound on notification / roster replicas
# KAFKA_CLIENT_CONFIG       optional client properties file (TLS / SASL of a managed cluster)
set -eu

: "${KAFKA_BROKERS:?KAFKA_BROKERS must be set}"
RF=${KAFKA_REPLICATION_FACTOR:-3}
PARTITIONS=${KAFKA_PARTITIONS:-12}
MIN_ISR=$((RF > 1 ? RF - 1 : 1))
RETENTION_MS=$((14 * 24 * 3600 * 1000))
PREFIX=${KHIW_NAMESPACE:+$KHIW_NAMESPACE.}
TOPICS_SH=${KAFKA_TOPICS_SH:-/opt/kafka/bin/kafka-topics.sh}
export KAFKA_HEAP_OPTS=${KAFKA_HEAP_OPTS:--Xmx256m}

set -- --bootstrap-server "$KAFKA_BROKERS"
CLIENT_CONFIG=${KAFKA_CLIENT_CONFIG:-/etc/khiw-kafka/client.properties}
if [ -f "$CLIENT_CONFIG" ]; then set -- "$@" --command-config "$CLIENT_CONFIG"; fi

tries=0
until "$TOPICS_SH" "$@" --list >/dev/null 2>&1; do
  tries=$((tries + 1))
  if [ "$tries" -ge 30 ]; then echo "create-topics: Kafka at $KAFKA_BROKERS did not answer" >&2; exit 1; fi
  sleep 2
done

for spec in booking.events:$PARTITIONS notification.events:$PARTITIONS roster.events:$PARTITIONS \
  booking.events.dlq:1 notification.events.dlq:1; do
  name=$PREFIX${spec%%:*}
  count=${spec##*:}
  "$TOPICS_SH" "$@" --create --if-not-exists --topic "$name" --partitions "$count" \
    --replication-factor "$RF" --config "min.insync.replicas=$MIN_ISR" \
    --config "retention.ms=$RETENTION_MS"
done
"$TOPICS_SH" "$@" --describe --topic "${PREFIX}(booking|notification|roster)\.events(\.dlq)?" |
  grep -v 'Leader:' || true
echo "create-topics: done (replication $RF, min.insync.replicas $MIN_ISR)"
