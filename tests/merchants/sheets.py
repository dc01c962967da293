"""A board's vendor sheet as the tests write it, and its upload through the API."""

import csv
import io

HEADER = [
    "Số sạp",
    "Họ và tên",
    "Tên cửa hàng",
    "Số điện thoại",
    "Số CCCD",
    "Ngành hàng",
    "Đã đồng ý xử lý dữ liệu",
    "Ví VNPT Money",
    "Ví Viettel Money",
    "Ví MobiFone Money",
]
GOOD_1 = [
    "A-001",
    "Trần Văn Hùng",
    "Thịt heo Chú Hùng",
    "0901234567",
    "092080000111",
    "Thịt",
    "Có",
    "0901234567",
    "",
    "",
]
GOOD_2 = ["A-002", "Lê Thị Mai", "", "0981234567", "092186000222", "Rau củ", "Có", "", "0981234567", ""]


def csv_bytes(rows: list[list[str]], delimiter: str = ",") -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter).writerows(rows)
    return out.getvalue().encode("utf-8")


def upload(client, market, content: bytes, *, dry_run: bool, name: str = "tieuthuong.csv"):
    file = io.BytesIO(content)
    file.name = name
    return client.upload("/api/v1/vendors/import", {"market": market.code, "dry_run": dry_run, "file": file})
