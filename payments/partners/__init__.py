"""One adapter per partner wallet, looked up by partner code."""

from payments.partners.base import Notice, Outcome, PartnerAdapter, Rejected, Reply
from payments.partners.mobifone import MobifoneAdapter
from payments.partners.viettel import ViettelAdapter
from payments.partners.vnpt import VnptAdapter

ADAPTERS: dict[str, PartnerAdapter] = {a.code: a for a in (VnptAdapter(), ViettelAdapter(), MobifoneAdapter())}


def adapter_for(partner: str) -> PartnerAdapter:
    return ADAPTERS[partner]


__all__ = ["ADAPTERS", "Notice", "Outcome", "PartnerAdapter", "Rejected", "Reply", "adapter_for"]
