"""Plain Vietnamese for each difference: what differs, and what usually causes it."""

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.formatting import format_date, format_datetime, format_vnd
from core.partners import Partner
from reconciliation.matching import Outcome
from reconciliation.models import ExceptionKind
from reconciliation.parsers import Kind, Status

# Lazy translations, turned into text where they are shown.
KIND_WORDS: dict[str, object] = {Kind.PAYMENT: gettext_lazy("thanh toán"), Kind.REFUND: gettext_lazy("hoàn tiền")}
STATUS_WORDS: dict[str, object] = {
    Status.COMPLETED: gettext_lazy("thành công"),
    Status.FAILED: gettext_lazy("thất bại"),
    Status.REVERSED: gettext_lazy("đã đảo"),
}


OUTCOME_LABELS: dict[str, object] = {
    Outcome.MATCHED: gettext_lazy("Khớp"),
    Outcome.AMOUNT_DIFFERS: ExceptionKind.AMOUNT_DIFFERS.label,
    Outcome.STATUS_DIFFERS: ExceptionKind.STATUS_DIFFERS.label,
    Outcome.NOT_RECORDED: ExceptionKind.NOT_RECORDED.label,
    Outcome.DUPLICATE_LINE: ExceptionKind.DUPLICATE_LINE.label,
    Outcome.NOT_IN_FILE: ExceptionKind.NOT_IN_FILE.label,
    Outcome.AWAITING: gettext_lazy("Chờ tệp ngày sau"),
    Outcome.SETTLED_OTHER_DAY: gettext_lazy("Quyết toán ở tệp ngày liền kề"),
}


def outcome_label(name: str) -> str:
    return str(OUTCOME_LABELS.get(name, name))


def state_words(side: dict[str, Any]) -> str:
    kind, status = side.get("kind") or "", side.get("status") or ""
    return f"{KIND_WORDS.get(kind, kind)} {STATUS_WORDS.get(status, status)}".strip()


def _partner(partner: str) -> str:
    return Partner(partner).label


def explain(
    kind: str,
    *,
    partner: str,
    txn_id: str,
    file_side: dict | None,
    recorded_side: dict | None,
    next_day: dt.date | None = None,
    file_name: str = "",
) -> str:
    name = _partner(partner)
    # Each kind reads the sides it has; the others are None.
    file_side, recorded_side = file_side or {}, recorded_side or {}
    if kind == ExceptionKind.AMOUNT_DIFFERS:
        diff = file_side["amount"] - recorded_side["amount"]
        return _(
            "Giao dịch %(id)s: tệp đối soát của %(partner)s ghi %(file)s, hệ thống ghi nhận %(ours)s "
            "(chênh %(diff)s). Thường do đối tác điều chỉnh số tiền sau khi gửi webhook, hoặc webhook "
            "bị sửa/ghi sai số tiền. Cần đối chiếu với %(partner)s trước khi điều chỉnh cho tiểu thương."
        ) % {
            "id": txn_id,
            "partner": name,
            "file": format_vnd(file_side["amount"]),
            "ours": format_vnd(recorded_side["amount"]),
            "diff": format_vnd(diff),
        }
    if kind == ExceptionKind.STATUS_DIFFERS:
        return _(
            "Giao dịch %(id)s: tệp đối soát ghi „%(file)s“, hệ thống ghi „%(ours)s“. Thường do giao dịch "
            "bị hoàn tiền hoặc đảo ở phía %(partner)s mà webhook báo việc đó chưa đến (hoặc ngược lại, "
            "webhook hoàn tiền đã đến nhưng đối tác chưa quyết toán). Tiền tiểu thương thực nhận có thể khác "
            "số đã báo."
        ) % {"id": txn_id, "partner": name, "file": state_words(file_side), "ours": state_words(recorded_side)}
    if kind == ExceptionKind.NOT_RECORDED:
        return _(
            "Giao dịch %(id)s (%(amount)s, lúc %(when)s) có trong tệp đối soát của %(partner)s nhưng hệ thống "
            "chưa nhận được webhook. Thường do webhook bị lỗi mạng, hết lượt gửi lại, hoặc bị từ chối vì sai "
            "chữ ký. Hệ thống đã tạo giao dịch từ tệp đối soát và gán cho tiểu thương như thường lệ; nên kiểm "
            "tra nhật ký webhook của ngày này."
        ) % {
            "id": txn_id,
            "partner": name,
            "amount": format_vnd(file_side["amount"]),
            "when": format_datetime(dt.datetime.fromisoformat(file_side["completed_at"])),
        }
    if kind == ExceptionKind.NOT_IN_FILE:
        return _(
            "Giao dịch %(id)s (%(amount)s, lúc %(when)s) đã ghi nhận qua webhook nhưng không có trong tệp "
            "đối soát của %(partner)s ngày này, cũng không có trong tệp ngày %(next)s. Thường do đối tác bỏ sót "
            "khi lập tệp, giao dịch bị hủy ở phía đối tác sau khi báo, hoặc webhook giả/không hợp lệ lọt qua. "
            "Cần hỏi %(partner)s trước khi trả tiền cho tiểu thương."
        ) % {
            "id": txn_id,
            "partner": name,
            "amount": format_vnd(recorded_side["amount"]),
            "when": format_datetime(dt.datetime.fromisoformat(recorded_side["completed_at"])),
            "next": format_date(next_day),
        }
    if kind == ExceptionKind.DUPLICATE_LINE:
        return _(
            "Mã giao dịch %(id)s xuất hiện lần nữa ở dòng %(line)d của tệp đối soát (%(amount)s). Dòng lặp "
            "không được cộng thêm tiền. Thường do lỗi khi đối tác xuất tệp hoặc ghép nhiều tệp; cần yêu cầu "
            "%(partner)s gửi lại tệp đúng."
        ) % {"id": txn_id, "line": file_side["line_no"], "amount": format_vnd(file_side["amount"]), "partner": name}
    if kind == ExceptionKind.MISSING_FILE:
        return _(
            "Chưa nhận được tệp đối soát %(file)s của %(partner)s. Thường do đối tác gửi trễ hoặc tệp được đặt "
            "sai thư mục. Khi tệp đến, lần đối soát sẽ chạy lại và chênh lệch này tự đóng."
        ) % {"file": file_name, "partner": name}
    raise ValueError(kind)


def auto_close_note(*, file_name: str) -> str:
    return _(
        "Tự động đóng: lần đối soát lại (tệp %(file)s) không còn thấy chênh lệch này; webhook hoặc tệp đến sau "
        "đã giải quyết."
    ) % {"file": file_name or _("chưa có")}
