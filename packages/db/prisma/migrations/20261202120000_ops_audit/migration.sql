-- Ops audit log (issue 12): who changed what in a campaign's live settings, and when.

-- CreateTable
CREATE TABLE "booking"."ops_audit" (
    "id" BIGSERIAL NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "operator" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "campaign_id" TEXT NOT NULL,
    "detail" JSONB NOT NULL,

    CONSTRAINT "ops_audit_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "ops_audit_campaign_id_at_idx" ON "booking"."ops_audit"("campaign_id", "at");
