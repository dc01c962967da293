"""Demo vendors: a few thousand across the pilot markets and a few outside,
loaded through the same spreadsheet import the boards use."""

import csv
import io
import random

from core.actors import Actor
from merchants import imports
from merchants.models import GoodsCategory, Market

FAMILY = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Huỳnh",
    "Hoàng",
    "Võ",
    "Phan",
    "Trương",
    "Bùi",
    "Đặng",
    "Đỗ",
    "Ngô",
    "Dương",
    "Lý",
    "Lâm",
    "Châu",
    "Thạch",
    "Quách",
    "Tạ",
]
MIDDLE_F = ["Thị", "Ngọc", "Thị Kim", "Thị Thu", "Thị Mỹ", "Thị Bích", "Hồng"]
MIDDLE_M = ["Văn", "Minh", "Hữu", "Công", "Quốc", "Thanh", "Hoàng"]
GIVEN_F = [
    "Lan",
    "Hoa",
    "Hương",
    "Mai",
    "Cúc",
    "Hằng",
    "Nga",
    "Thảo",
    "Trang",
    "Diễm",
    "Phượng",
    "Loan",
    "Xuân",
    "Yến",
    "Tuyết",
    "Nhung",
    "Đào",
    "Hạnh",
    "Kiều",
    "Liên",
]
GIVEN_M = [
    "Hùng",
    "Dũng",
    "Tâm",
    "Phúc",
    "Lộc",
    "Tài",
    "Sơn",
    "Bình",
    "Khánh",
    "Đức",
    "Nghĩa",
    "Thành",
    "Tùng",
    "Hải",
    "Long",
    "Quang",
    "Trí",
    "Hiếu",
]
TRADE = {
    "rau-cu": "Rau",
    "trai-cay": "Trái cây",
    "thit": "Thịt heo",
    "thuy-san": "Cá tôm",
    "gao": "Gạo",
    "do-kho": "Đồ khô",
    "tap-hoa": "Tạp hóa",
    "an-uong": "Quán",
    "vai-quan-ao": "Vải",
    "gia-dung": "Gia dụng",
    "hoa": "Hoa",
    "khac": "Sạp",
}
PREFIXES = [
    "090",
    "091",
    "093",
    "094",
    "096",
    "097",
    "098",
    "032",
    "033",
    "034",
    "035",
    "037",
    "038",
    "039",
    "070",
    "077",
    "079",
    "081",
    "083",
    "084",
    "085",
    "088",
]
PROVINCE = ["092", "092", "092", "093", "086", "089", "094", "087"]  # Cần Thơ and its neighbours


def demo_rows(market: Market, count: int, rnd: random.Random) -> list[list[str]]:
    header = [h for _, h in imports.COLUMNS]
    rows = [header]
    used_phones: set[str] = set()
    categories = list(GoodsCategory)
    for index in range(count):
        female = rnd.random() < 0.7
        given = rnd.choice(GIVEN_F if female else GIVEN_M)
        name = f"{rnd.choice(FAMILY)} {rnd.choice(MIDDLE_F if female else MIDDLE_M)} {given}"
        category = rnd.choice(categories)
        phone = rnd.choice(PREFIXES) + f"{rnd.randrange(10**7):07d}"
        while phone in used_phones:
            phone = rnd.choice(PREFIXES) + f"{rnd.randrange(10**7):07d}"
        used_phones.add(phone)
        year = rnd.randrange(1955, 2004)
        century = (1 if year < 2000 else 3) if female else (0 if year < 2000 else 2)
        cccd = f"{rnd.choice(PROVINCE)}{century}{year % 100:02d}{rnd.randrange(10**6):06d}"
        wallets = {"vnpt": "", "viettel": "", "mobifone": ""}
        for partner, share in (("vnpt", 0.45), ("viettel", 0.55), ("mobifone", 0.25)):
            if rnd.random() < share:
                wallets[partner] = phone
        stall = f"{chr(65 + index // 1000)}-{index % 1000 + 1:03d}"
        trade = f"{TRADE[category.value]} {'Cô' if female else 'Chú'} {given}"
        rows.append(
            [
                stall,
                name,
                trade,
                phone,
                cccd,
                str(category.label),
                "Có",
                wallets["vnpt"],
                wallets["viettel"],
                wallets["mobifone"],
            ]
        )
    return rows


def load_vendors(*, actor: Actor, seed: int = 40) -> int:
    """Vendors for every pilot market and three markets outside the pilot."""
    rnd = random.Random(seed)
    created = 0
    markets = list(Market.objects.filter(is_pilot=True)) + list(Market.objects.filter(is_pilot=False)[:3])
    for market in markets:
        share = 0.6 if market.is_pilot else 0.15
        count = int(market.stall_count * share)
        out = io.StringIO()
        csv.writer(out).writerows(demo_rows(market, count, rnd))
        report = imports.vendor_import(
            actor=actor, market=market, filename="demo.csv", content=out.getvalue().encode(), dry_run=False
        )
        created += report["created"]
    return created
