"""Everything the system holds about one vendor, in one JSON document: the
answer to a vendor's request for their own data (Law 91/2025/QH15). Only
an operator exports it, and each export is audited (who, when, what file),
without the data itself in the audit row."""

import datetime as dt
from typing import Any

from django.forms.models import model_to_dict

from core import audit, clock
from core.access import require_operator
from core.actors import Actor
from merchants.models import PaymentCode, Vendor, WalletAccount
from payments.models import Transaction
from reconciliation.models import ReconciliationException

FORMAT = "cho40-vendor-data/1"


def vendor_data_export(*, actor: Actor, vendor: Vendor, file_name: str) -> dict[str, Any]:
    require_operator(actor)
    sections: dict[str, Any] = {
        "vendor": {**_plain(model_to_dict(vendor)), "market": vendor.market.code, "id": vendor.pk},
        "wallet_accounts": _rows(WalletAccount.objects.filter(vendor=vendor).order_by("pk")),
        "payment_codes": _rows(PaymentCode.objects.filter(wallet_account__vendor=vendor).order_by("pk")),
        "transactions": _rows(Transaction.objects.filter(vendor=vendor).order_by("completed_at", "pk")),
        "reconciliation_exceptions": _rows(ReconciliationException.objects.filter(vendor=vendor).order_by("pk")),
        "history": [
            {
                "at": entry.at.isoformat(),
                "action": entry.action,
                "before": entry.before,
                "after": entry.after,
                "note": entry.note,
            }
            for entry in audit.history_of(vendor).order_by("at", "pk")
        ],
    }
    counts = {name: len(rows) for name, rows in sections.items() if isinstance(rows, list)}
    audit.record(
        actor=actor,
        action="vendor.data_export",
        obj=vendor,
        before=None,
        after={"file": file_name, "counts": counts},
        market=vendor.market,
    )
    return {"format": FORMAT, "exported_at": clock.now().isoformat(), "vendor_code": vendor.code, **sections}


def _rows(queryset: Any) -> list[dict[str, Any]]:
    return [_plain(model_to_dict(row) | {"id": row.pk}) for row in queryset]


def _plain(values: dict[str, Any]) -> dict[str, Any]:
    return {key: value.isoformat() if isinstance(value, dt.date) else value for key, value in values.items()}
