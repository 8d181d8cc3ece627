"""The baseline for bench/settlement_bench.cc: a plain csv.DictReader script.

Reads a GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2 file and sums its amounts per
(transaction-type, amount-type, amount-description, month of posted-date-time),
the keys SettlementTotals aggregates, skipping the summary row. Amounts are read
as decimals (a comma decimal becomes a dot; the benchmark's files have no
thousands separators). Prints "rows=N sum_minor=S keys=K" so that the driver
can check both programs saw the same money.

Usage: python3 settlement_dictreader.py FILE
"""

import csv
import sys
from decimal import Decimal


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    totals = {}
    rows = 0
    total = Decimal(0)
    with open(sys.argv[1], newline="", encoding="utf-8-sig") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            if not row["transaction-type"]:
                continue
            amount = Decimal(row["amount"].replace(",", "."))
            key = (
                row["transaction-type"],
                row["amount-type"],
                row["amount-description"],
                row["posted-date-time"][:7],
            )
            entry = totals.get(key)
            if entry is None:
                totals[key] = [amount, 1]
            else:
                entry[0] += amount
                entry[1] += 1
            rows += 1
            total += amount
    print(f"rows={rows} sum_minor={int(total * 100)} keys={len(totals)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
