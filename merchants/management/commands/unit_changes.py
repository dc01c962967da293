"""`manage.py unit_changes [--dataset FILE]`: after the administrative-units
dataset is updated, every market whose unit code was changed or retired.
It only reports; an operator settles each market in the admin."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from merchants import selectors
from merchants.units import DATASET_PATH, DATASET_VERSION


class Command(BaseCommand):
    help = "Report markets whose current unit was renamed or retired in the dataset. Changes nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dataset",
            type=Path,
            default=None,
            help="the dataset's nested-divisions.json to compare with (default: the installed package's)",
        )

    def handle(self, *args: Any, dataset: Path | None, **options: Any) -> None:
        path = dataset or DATASET_PATH
        if not path.is_file():
            raise CommandError(_("--dataset: không tìm thấy tệp %(path)s") % {"path": path})
        try:
            changes = selectors.unit_changes(path)
        except (ValueError, KeyError, StopIteration) as exc:
            raise CommandError(
                _("--dataset: tệp %(path)s không phải danh mục đơn vị hành chính có thành phố Cần Thơ (mã 92)")
                % {"path": path}
            ) from exc
        source = DATASET_VERSION if dataset is None else str(path)
        self.stdout.write(
            _("Đối chiếu với %(source)s: %(count)s chợ có phường/xã đổi mã hoặc đổi tên.")
            % {"source": source, "count": len(changes)}
        )
        for change in changes:
            market = change.market
            recorded = f"{market.unit_name} ({market.unit_code})"
            if change.now is None:
                nearest = ", ".join(u.label for u in change.nearest) or "—"
                what = _("mã đã bỏ: %(unit)s; gần nhất: %(nearest)s") % {"unit": recorded, "nearest": nearest}
            else:
                what = _("đổi tên: %(unit)s → %(name)s") % {"unit": recorded, "name": change.now.name}
            self.stdout.write(f"{market.code}\t{market.name}\t{what}")
        if changes:
            self.stdout.write(_("Chưa thay đổi gì; hãy cập nhật từng chợ trong trang quản trị."))
