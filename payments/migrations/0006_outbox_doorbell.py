"""A statement-level trigger on the outbox rings TRANSACTION_CHANGED_CHANNEL.

NOTIFY inside a transaction is delivered only at its commit, and identical
notifications of one transaction are folded into one, so a bulk insert of
events rings once and a rolled-back one never."""

from django.db import migrations

CHANNEL = "payments_transaction_changed"

CREATE = f"""
CREATE FUNCTION payments_outbox_doorbell() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('{CHANNEL}', '');
    RETURN NULL;
END $$;
CREATE TRIGGER payments_outbox_doorbell AFTER INSERT ON payments_outboxevent
    FOR EACH STATEMENT EXECUTE FUNCTION payments_outbox_doorbell();
"""

DROP = """
DROP TRIGGER IF EXISTS payments_outbox_doorbell ON payments_outboxevent;
DROP FUNCTION IF EXISTS payments_outbox_doorbell();
"""


class Migration(migrations.Migration):
    dependencies = [("payments", "0005_transaction_payer")]

    operations = [migrations.RunSQL(CREATE, DROP)]
