"""Long programs for the feedback experiment: programs where reading is not enough.

Each is 40 to 80 lines, five to eight functions. One helper has a wrong unit, an off-by-one, a wrong key, a
missed case or a wrong branch, and a test fails one or two calls away from it, where the failure (an error
raised in another function, or ``got: 2700, expected: 45``) says something the code does not. In several the
right behaviour is known only from the tests' data (a coupon of 20 means 20 %, a stay may cross midnight).

The rules every bug keeps (``tests/test_long_zoo.py`` checks what code can check):
  - the reference fix (``fixed``) changes one function and passes every test, in the sandbox;
  - the bug fails at least one test, and no failing test calls the buggy function directly;
  - no docstring or comment states the behaviour the bug breaks; test names do not name the cause;
  - a test's failing assertion fits on one line, so full feedback shows its input and expected value.

``LONG_ZOO`` holds the candidates a pilot chooses among (``bench/pilot_feedback.py``); ``HELD_OUT`` holds three
more of the same design, drawn at random (``random.Random(33).sample`` of the thirteen names, before any model
saw one), to be measured once, after the choice, to tell how much choosing on the pilot flattered the result.
"""

from .zoo import Bug, _patched, _src

_INVOICE = _src('''
"""Invoices from order text, one item per line."""

TAX_RATES = {"food": 0.07, "books": 0.0, "other": 0.19}


def parse_line(text):
    name, category, quantity, price = (part.strip() for part in text.split(";"))
    return {"name": name, "category": category, "quantity": int(quantity), "price": float(price)}


def parse_order(text):
    return [parse_line(line) for line in text.strip().splitlines() if line.strip()]


def tax_rate(category):
    return TAX_RATES.get(category, TAX_RATES["other"])


def line_net(line):
    return line["qty"] * line["price"]


def line_tax(line):
    return line_net(line) * tax_rate(line["category"])


def totals(lines):
    net = sum(line_net(line) for line in lines)
    tax = sum(line_tax(line) for line in lines)
    return {"net": round(net, 2), "tax": round(tax, 2), "gross": round(net + tax, 2)}


def biggest_item(lines):
    if not lines:
        return None
    return max(lines, key=line_net)["name"]


def by_category(lines):
    counts = {}
    for line in lines:
        counts[line["category"]] = counts.get(line["category"], 0) + 1
    return counts


def invoice(text):
    lines = parse_order(text)
    summary = totals(lines)
    summary["biggest"] = biggest_item(lines)
    summary["categories"] = by_category(lines)
    return summary
''')

_PAYROLL = _src('''
"""Weekly pay from shifts, one per line: date, day, start and end as HH:MM."""

BASE_RATE = 15.0
WEEKEND = ("sat", "sun")
HOLIDAYS = {"2024-12-25", "2024-12-26"}


def hours_of(text):
    hours, minutes = text.split(":")
    return int(hours) + int(minutes) / 60


def parse_shift(line):
    date, day, start, end = line.split()
    return {"date": date, "day": day, "hours": hours_of(end) - hours_of(start)}


def bonus_share(shift):
    if shift["date"] in HOLIDAYS:
        return 1.0
    if shift["day"] in WEEKEND:
        return 0.5


def shift_pay(shift, rate):
    return shift["hours"] * rate * (1 + bonus_share(shift))


def week_pay(lines, rate=BASE_RATE):
    shifts = [parse_shift(line) for line in lines]
    return round(sum(shift_pay(shift, rate) for shift in shifts), 2)


def hours_per_day(lines):
    totals = {}
    for shift in map(parse_shift, lines):
        totals[shift["day"]] = totals.get(shift["day"], 0) + shift["hours"]
    return totals


def longest_shift(lines):
    shifts = [parse_shift(line) for line in lines]
    return max(shifts, key=lambda shift: shift["hours"])["date"] if shifts else None


def payslip(name, lines, rate=BASE_RATE):
    days = hours_per_day(lines)
    return {"name": name, "hours": round(sum(days.values()), 2), "pay": week_pay(lines, rate),
            "days": sorted(days), "longest": longest_shift(lines)}
''')

_BREAKS = _src('''
"""Breaks between work sessions, from a log of 'HH:MM start' and 'HH:MM stop' lines."""


def stamp(text):
    hours, minutes = text.split(":")
    return int(hours) * 3600 + int(minutes) * 60


def clock_text(value):
    return f"{value // 60:02d}:{value % 60:02d}"


def sessions(log):
    found, start = [], None
    for line in log:
        time, event = line.split()
        if event == "start":
            start = stamp(time)
        elif event == "stop" and start is not None:
            found.append((start, stamp(time)))
            start = None
    return found


def gaps(log):
    spans = sessions(log)
    return [(end, following - end) for (_, end), (following, _) in zip(spans, spans[1:])]


def longest_break(log):
    return max((length for _, length in gaps(log)), default=0)


def breaks_over(log, limit):
    return [clock_text(at) for at, length in gaps(log) if length > limit]


def worked(log):
    return sum(end - start for start, end in sessions(log))


def summary(log):
    return {"sessions": len(sessions(log)), "worked": worked(log), "longest break": longest_break(log),
            "first start": clock_text(sessions(log)[0][0]) if sessions(log) else None}
''')

_MONTHLY = _src('''
"""A monthly sales report from rows 'YYYY-MM-DD,amount'."""

MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def parse_row(row):
    date, amount = row.split(",")
    return date.strip(), float(amount)


def month_name(date):
    year, month, day = (int(part) for part in date.split("-"))
    return MONTHS[month]


def by_month(rows):
    totals = {}
    for date, amount in map(parse_row, rows):
        name = month_name(date)
        totals[name] = totals.get(name, 0.0) + amount
    return totals


def best_month(rows):
    totals = by_month(rows)
    if not totals:
        return None
    return max(totals, key=totals.get)


def growth(rows, first, second):
    totals = by_month(rows)
    before, after = totals.get(first, 0.0), totals.get(second, 0.0)
    if before == 0:
        return None
    return round((after - before) / before * 100, 1)


def report(rows):
    totals = by_month(rows)
    ordered = [name for name in MONTHS if name in totals]
    return [f"{name}: {totals[name]:.2f}" for name in ordered]


def quiet_months(rows):
    totals = by_month(rows)
    return [name for name in MONTHS if name not in totals]
''')

_VISITS = _src('''
"""Website visits from log lines 'YYYY-MM-DDTHH:MM path user'."""


def parse(line):
    stamp, path, user = line.split()
    return {"stamp": stamp, "path": path, "user": user}


def day_key(stamp):
    return stamp[:7]


def hour_key(stamp):
    return int(stamp[11:13])


def visits_per_day(lines):
    days = {}
    for visit in map(parse, lines):
        days.setdefault(day_key(visit["stamp"]), []).append(visit)
    return days


def busiest_day(lines):
    days = visits_per_day(lines)
    if not days:
        return None
    day = max(sorted(days), key=lambda d: len(days[d]))
    return day, len(days[day])


def unique_users(lines):
    return {day: len({v["user"] for v in visits}) for day, visits in visits_per_day(lines).items()}


def peak_hour(lines):
    hours = {}
    for visit in map(parse, lines):
        hour = hour_key(visit["stamp"])
        hours[hour] = hours.get(hour, 0) + 1
    return max(sorted(hours), key=hours.get) if hours else None


def top_pages(lines, n=2):
    pages = {}
    for visit in map(parse, lines):
        pages[visit["path"]] = pages.get(visit["path"], 0) + 1
    return sorted(pages, key=lambda page: (-pages[page], page))[:n]
''')

_GRADES = _src('''
"""A course report: each student's weighted average and letter grade."""

WEIGHTS = {"exam": 0.6, "project": 0.3, "quiz": 0.1}
LETTERS = [(90, "A"), (80, "B"), (70, "C"), (60, "D")]


def weight_of(kind):
    return WEIGHTS.get(kind, 0.0)


def weighted_average(results):
    total_weight = sum(weight_of(kind) for kind, _ in results)
    points = sum(weight_of(kind) * score for kind, score in results)
    return round(points / total_weight, 1)


def letter(average):
    if average is None:
        return "-"
    for bound, name in LETTERS:
        if average >= bound:
            return name
    return "F"


def collect(records):
    students = {}
    for name, kind, score in records:
        students.setdefault(name, [])
        if score is not None:
            students[name].append((kind, score))
    return students


def report(records):
    rows = {}
    for name, results in collect(records).items():
        average = weighted_average(results)
        rows[name] = (average, letter(average))
    return rows


def class_average(records):
    averages = [average for average, _ in report(records).values() if average is not None]
    return round(sum(averages) / len(averages), 1) if averages else None


def failing(records):
    return sorted(name for name, (_, grade) in report(records).items() if grade == "F")
''')

_CHECKOUT = _src('''
"""Checkout for a shopping cart: quantity discounts, coupons and shipping."""

BULK = [(10, 0.10), (5, 0.05)]
FREE_SHIPPING_FROM = 50.0
SHIPPING = 4.9


def bulk_share(quantity):
    for least, share in BULK:
        if quantity >= least:
            return share
    return 0.0


def line_price(item):
    gross = item["price"] * item["quantity"]
    return gross * (1 - bulk_share(item["quantity"]))


def coupon_factor(coupon):
    if coupon is None:
        return 1.0
    return 1 - coupon["off"]


def subtotal(cart):
    return sum(line_price(item) for item in cart)


def shipping(amount):
    return 0.0 if amount >= FREE_SHIPPING_FROM else SHIPPING


def checkout(cart, coupon=None):
    goods = round(subtotal(cart) * coupon_factor(coupon), 2)
    return {"goods": goods, "shipping": shipping(goods), "total": round(goods + shipping(goods), 2)}


def savings(cart, coupon=None):
    full = sum(item["price"] * item["quantity"] for item in cart)
    return round(full - checkout(cart, coupon)["goods"], 2)


def cheapest_first(cart):
    return [item["name"] for item in sorted(cart, key=line_price)]
''')

_INDEX = _src('''
"""A paged index of titles: a 'Page 1/3' header, then the titles on that page."""


def check_size(per_page):
    if per_page < 1:
        raise ValueError("per_page must be at least 1")


def page_count(total, per_page):
    return total // per_page


def page_slice(items, page, per_page):
    start = (page - 1) * per_page
    return items[start:start + per_page]


def header(page, pages):
    return f"Page {page}/{pages}"


def paginate(items, per_page):
    check_size(per_page)
    pages = page_count(len(items), per_page)
    return [page_slice(items, page, per_page) for page in range(1, pages + 1)]


def index_lines(titles, per_page=3):
    pages = paginate(sorted(titles), per_page)
    lines = []
    for number, page in enumerate(pages, start=1):
        lines.append(header(number, len(pages)))
        lines.extend(f"  {title}" for title in page)
    return lines


def find_page(titles, title, per_page=3):
    for number, page in enumerate(paginate(sorted(titles), per_page), start=1):
        if title in page:
            return number
    return None


def last_page(titles, per_page=3):
    pages = paginate(sorted(titles), per_page)
    return pages[-1] if pages else []
''')

_BILL = _src('''
"""Splitting a restaurant bill: the tip first, then equal shares in whole cents."""


def to_cents(amount):
    return int(amount * 100)


def to_euros(cents):
    return cents / 100


def with_tip(cents, tip_percent):
    return cents + (cents * tip_percent + 50) // 100


def shares(cents, people):
    base, extra = divmod(cents, people)
    return [base + 1 if i < extra else base for i in range(people)]


def split_bill(amount, people, tip_percent=0):
    if people < 1:
        raise ValueError("people must be at least 1")
    total = with_tip(to_cents(amount), tip_percent)
    return [to_euros(share) for share in shares(total, people)]


def who_pays_more(amount, names, tip_percent=0):
    split = split_bill(amount, len(names), tip_percent)
    return [name for name, share in zip(names, split) if share > min(split)]


def receipt(amount, names, tip_percent=0):
    split = split_bill(amount, len(names), tip_percent)
    lines = [f"{name}: {share:.2f}" for name, share in zip(names, split)]
    total = to_euros(sum(to_cents(share) for share in split))
    return lines + [f"total: {total:.2f}"]


def tip_amount(amount, tip_percent):
    return to_euros(with_tip(to_cents(amount), tip_percent) - to_cents(amount))
''')

_RELEASES = _src('''
"""Choosing an upgrade from a list of released versions such as '1.4.2' or 'v2.0.0'."""


def version_key(text):
    return text.strip().lstrip("v")


def is_stable(text):
    return "-" not in text


def major(text):
    return text.strip().lstrip("v").split(".")[0]


def newest(versions):
    stable = [v for v in versions if is_stable(v)]
    return max(stable, key=version_key) if stable else None


def upgrade(installed, versions):
    target = newest(versions)
    if target is None or version_key(target) <= version_key(installed):
        return None
    return target


def safe_upgrade(installed, versions):
    same = [v for v in versions if major(v) == major(installed)]
    return upgrade(installed, same)


def plan(installed, versions):
    return {"newest": newest(versions), "upgrade": upgrade(installed, versions),
            "safe": safe_upgrade(installed, versions)}


def outdated(installed_by_name, versions_by_name):
    return sorted(name for name, installed in installed_by_name.items()
                  if upgrade(installed, versions_by_name.get(name, [])) is not None)
''')

_BASKET = _src('''
"""A grocery basket: a comma-separated list of product names, priced from a catalogue."""

CATALOGUE = {"apple": 0.40, "pear": 0.55, "bread": 2.20, "milk": 1.15, "cheese": 4.80}
MULTIBUY = {"apple": (3, 1.00)}


def product_names(text):
    return [name.lower() for name in text.split(",") if name.strip()]


def counts(names):
    found = {}
    for name in names:
        found[name] = found.get(name, 0) + 1
    return found


def unit_price(name):
    return CATALOGUE[name]


def line_cost(name, quantity):
    if name in MULTIBUY:
        size, price = MULTIBUY[name]
        bundles, rest = divmod(quantity, size)
        return bundles * price + rest * unit_price(name)
    return quantity * unit_price(name)


def basket_total(text):
    items = counts(product_names(text))
    return round(sum(line_cost(name, quantity) for name, quantity in items.items()), 2)


def receipt(text):
    items = sorted(counts(product_names(text)).items())
    lines = [f"{quantity} x {name}: {line_cost(name, quantity):.2f}" for name, quantity in items]
    return lines + [f"total: {basket_total(text):.2f}"]


def most_bought(text):
    items = counts(product_names(text))
    return max(sorted(items), key=items.get) if items else None
''')

_PARKING = _src('''
"""Parking fees from tickets 'plate entry exit', times as HH:MM."""

FREE_MINUTES = 15
HOURLY = 2.5
DAY_CAP = 18.0


def minutes(text):
    hours, mins = text.split(":")
    return int(hours) * 60 + int(mins)


def stay(entry, exit):
    return minutes(exit) - minutes(entry)


def fee(duration):
    if duration <= FREE_MINUTES:
        return 0.0
    hours = -(-duration // 60)
    return min(hours * HOURLY, DAY_CAP)


def parse_ticket(line):
    plate, entry, exit = line.split()
    return plate, stay(entry, exit)


def daily_report(lines):
    report = {}
    for plate, duration in map(parse_ticket, lines):
        report[plate] = report.get(plate, 0.0) + fee(duration)
    return report


def takings(lines):
    return round(sum(daily_report(lines).values()), 2)


def longest_stay(lines):
    tickets = [parse_ticket(line) for line in lines]
    return max(tickets, key=lambda ticket: ticket[1])[0] if tickets else None


def free_visits(lines):
    return sum(1 for _, duration in map(parse_ticket, lines) if fee(duration) == 0.0)
''')

_WORDS = _src('''
"""Word statistics for a short text: the most frequent words, leaving out a few common ones."""

STOP_WORDS = {"the", "a", "an", "and", "of", "to", "in", "is", "it"}
PUNCTUATION = ".,;:!?\\"'()"


def clean(word):
    return word.strip(PUNCTUATION)


def words(text):
    return [clean(word) for word in text.split() if clean(word)]


def content_words(text):
    return [word for word in words(text) if word not in STOP_WORDS]


def frequencies(text):
    counts = {}
    for word in content_words(text):
        counts[word] = counts.get(word, 0) + 1
    return counts


def top(text, n=3):
    counts = frequencies(text)
    return sorted(counts, key=lambda word: (-counts[word], word))[:n]


def share_of(text, word):
    found = content_words(text)
    return round(found.count(word) / len(found), 2) if found else 0.0


def longest(text):
    found = content_words(text)
    return max(found, key=len) if found else None


def summary(text):
    found = words(text)
    return {"words": len(found), "distinct": len(set(found)), "top": top(text, 1)}
''')


ALL_LONG = [
    Bug("invoice", "crash: KeyError, a key named differently two functions away", _INVOICE,
        _src('''
ORDER = """
bread; food; 2; 2.50
novel; books; 1; 12.00
lamp; other; 1; 30.00
"""


def test_totals():
    summary = invoice(ORDER)
    assert (summary["net"], summary["tax"], summary["gross"]) == (47.0, 6.05, 53.05)


def test_biggest_and_categories():
    summary = invoice(ORDER)
    assert (summary["biggest"], summary["categories"]) == ("lamp", {"food": 1, "books": 1, "other": 1})


def test_empty_order():
    assert invoice("") == {"net": 0, "tax": 0, "gross": 0, "biggest": None, "categories": {}}
'''),
        _patched(_INVOICE, ('line["qty"]', 'line["quantity"]')),
        "line_net reads 'qty', parse_line writes 'quantity'; it raises in line_net, called from totals."),
    Bug("payroll", "crash: TypeError, a branch that returns nothing", _PAYROLL,
        _src('''
def test_two_shifts():
    assert payslip("Ana", ["2024-12-02 mon 09:00 17:00", "2024-12-03 tue 09:00 13:30"])["pay"] == 187.5


def test_weekend():
    assert week_pay(["2024-12-07 sat 10:00 14:00"]) == 90.0


def test_holiday():
    assert week_pay(["2024-12-25 wed 08:00 12:00"], rate=20.0) == 160.0


def test_payslip():
    assert payslip("Bo", ["2024-12-07 sat 10:00 12:00"]) == {"name": "Bo", "hours": 2.0, "pay": 45.0, "days": ["sat"], "longest": "2024-12-07"}
'''),
        _patched(_PAYROLL, ('        return 0.5\n', '        return 0.5\n    return 0.0\n')),
        "bonus_share falls off its end on an ordinary weekday (None); shift_pay's addition raises."),
    Bug("breaks", "wrong answer: a helper's unit (seconds, not minutes)", _BREAKS,
        _src('''
LOG = ["08:00 start", "10:15 stop", "10:30 start", "12:00 stop", "12:45 start", "16:30 stop"]


def test_longest_break():
    assert longest_break(LOG) == 45


def test_breaks_over():
    assert breaks_over(LOG, 20) == ["12:00"]


def test_summary():
    assert summary(["08:00 start", "10:15 stop", "10:30 start", "12:00 stop"]) == {"sessions": 2, "worked": 225, "longest break": 15, "first start": "08:00"}


def test_no_breaks():
    assert longest_break(["09:00 start", "17:00 stop"]) == 0
'''),
        _patched(_BREAKS, ("int(hours) * 3600 + int(minutes) * 60", "int(hours) * 60 + int(minutes)")),
        "stamp counts seconds; clock_text and the tests count minutes: 2700 where 45 is expected."),
    Bug("monthly", "wrong answer and a crash: off-by-one index (months count from 1)", _MONTHLY,
        _src('''
ROWS = ["2024-03-02,120.0", "2024-03-15,80.0", "2024-04-01,250.0", "2024-05-20,50.5"]


def test_report():
    assert report(["2024-03-02,120.0", "2024-03-15,80.0", "2024-04-01,250.0"]) == ["Mar: 200.00", "Apr: 250.00"]


def test_best_month():
    assert best_month(ROWS) == "Apr"


def test_growth():
    assert growth(ROWS, "Mar", "Apr") == 25.0


def test_one_row():
    assert report(["2024-12-24,99.0"]) == ["Dec: 99.00"]
'''),
        _patched(_MONTHLY, ("return MONTHS[month]", "return MONTHS[month - 1]")),
        "month_name indexes MONTHS with 1..12: March shows as Apr, December raises IndexError."),
    Bug("visits", "wrong answer: a wrong key (a month where a day is meant)", _VISITS,
        _src('''
LINES = ["2024-03-05T09:12 /home ann", "2024-03-05T09:40 /shop bob", "2024-03-05T14:02 /home ann",
         "2024-03-06T10:00 /home cem", "2024-03-06T10:30 /cart cem"]


def test_busiest_day():
    assert busiest_day(LINES) == ("2024-03-05", 3)


def test_unique_users():
    assert unique_users(["2024-03-05T09:12 /home ann", "2024-03-06T10:00 /home cem"]) == {"2024-03-05": 1, "2024-03-06": 1}


def test_peak_hour():
    assert peak_hour(LINES) == 9


def test_top_pages():
    assert top_pages(LINES) == ["/home", "/cart"]
'''),
        _patched(_VISITS, ("return stamp[:7]", "return stamp[:10]")),
        "day_key keeps 'YYYY-MM': every day of a month falls into one key."),
    Bug("grades", "crash: ZeroDivisionError, a missed case (a student with no scores)", _GRADES,
        _src('''
RECORDS = [("ana", "exam", 92), ("ana", "project", 85), ("ana", "quiz", 70),
           ("ben", "exam", 58), ("ben", "project", 75), ("cy", "exam", None)]


def test_report():
    assert report(RECORDS) == {"ana": (87.7, "B"), "ben": (63.7, "D"), "cy": (None, "-")}


def test_class_average():
    assert class_average(RECORDS) == 75.7


def test_all_graded():
    assert report(RECORDS[:5]) == {"ana": (87.7, "B"), "ben": (63.7, "D")}
'''),
        _patched(_GRADES, ("    points = sum(", "    if not total_weight:\n        return None\n    points = sum(")),
        "weighted_average divides by a weight of 0 for a student with no scores; the tests want None."),
    Bug("checkout", "wrong answer: a helper's unit (a percentage taken as a share)", _CHECKOUT,
        _src('''
CART = [{"name": "socks", "price": 10.0, "quantity": 6}, {"name": "bag", "price": 40.0, "quantity": 1}]


def test_no_coupon():
    assert checkout(CART) == {"goods": 97.0, "shipping": 0.0, "total": 97.0}


def test_coupon():
    assert checkout(CART, {"code": "SPRING", "off": 20}) == {"goods": 77.6, "shipping": 0.0, "total": 77.6}


def test_small_order():
    assert checkout([{"name": "cap", "price": 12.5, "quantity": 2}], {"code": "HELLO", "off": 10}) == {"goods": 22.5, "shipping": 4.9, "total": 27.4}


def test_savings():
    assert savings(CART, {"code": "SPRING", "off": 20}) == 22.4
'''),
        _patched(_CHECKOUT, ('1 - coupon["off"]', '1 - coupon["off"] / 100')),
        "a coupon's 'off' is a percentage (20), coupon_factor takes it as a share: the goods go negative."),
    Bug("index", "wrong answer: off-by-one (the last, partial page is lost)", _INDEX,
        _src('''
TITLES = ["Emma", "Ulysses", "Dracula", "Beloved", "Middlemarch", "Persuasion", "Walden"]


def test_index():
    assert index_lines(["Emma", "Dracula", "Beloved", "Walden"]) == ["Page 1/2", "  Beloved", "  Dracula", "  Emma", "Page 2/2", "  Walden"]


def test_find_page():
    assert find_page(TITLES, "Walden") == 3


def test_exact_fit():
    assert len(paginate(list(range(6)), 3)) == 2


def test_last_page():
    assert last_page(["b", "a"]) == ["a", "b"]
'''),
        _patched(_INDEX, ("return total // per_page", "return -(-total // per_page)")),
        "page_count rounds down: a last page that is not full is never made."),
    Bug("bill", "wrong answer: a lost cent (a float truncated to whole cents)", _BILL,
        _src('''
def test_even_split():
    assert split_bill(60.0, 3) == [20.0, 20.0, 20.0]


def test_uneven_split():
    assert split_bill(10.0, 3) == [3.34, 3.33, 3.33]


def test_odd_total():
    assert split_bill(19.99, 2) == [10.0, 9.99]


def test_tip():
    assert split_bill(40.3, 2, tip_percent=10) == [22.17, 22.16]


def test_receipt():
    assert receipt(0.29, ["Ann"]) == ["Ann: 0.29", "total: 0.29"]
'''),
        _patched(_BILL, ("return int(amount * 100)", "return round(amount * 100)")),
        "to_cents truncates 19.99 * 100 = 1998.9999... to 1998: a cent lost in split_bill."),
    Bug("releases", "wrong answer: a wrong sort key (versions compared as text)", _RELEASES,
        _src('''
RELEASES = ["1.2.0", "1.9.2", "1.10.0", "2.0.0-rc1", "v1.10.1", "2.0.1"]


def test_newest():
    assert newest(["1.2.0", "1.10.0", "1.9.2"]) == "1.10.0"


def test_plan():
    assert plan("1.9.2", RELEASES) == {"newest": "2.0.1", "upgrade": "2.0.1", "safe": "v1.10.1"}


def test_up_to_date():
    assert upgrade("1.10.1", ["1.2.0", "1.9.2", "v1.10.1"]) is None


def test_outdated():
    assert outdated({"web": "1.2.0", "cli": "2.0.1"}, {"web": RELEASES, "cli": RELEASES}) == ["web"]
'''),
        _patched(_RELEASES, ('return text.strip().lstrip("v")\n\n\ndef is_stable',
                             'return tuple(int(part) for part in text.strip().lstrip("v").split("."))\n\n\n'
                             'def is_stable')),
        "version_key compares versions as text, so 1.9.2 sorts after 1.10.0."),
    Bug("basket", "crash: KeyError, a missed case (spaces after the commas)", _BASKET,
        _src('''
def test_total():
    assert basket_total("apple, pear, apple, bread, apple") == 3.75


def test_receipt():
    assert receipt("Milk, cheese") == ["1 x cheese: 4.80", "1 x milk: 1.15", "total: 5.95"]


def test_single():
    assert basket_total("bread") == 2.2


def test_most_bought():
    assert most_bought("pear,apple,pear") == "pear"
'''),
        _patched(_BASKET, ("[name.lower() for name", "[name.strip().lower() for name")),
        "product_names keeps the space after each comma: ' pear' is not in the catalogue."),
    Bug("parking", "wrong answer: a missed case (a stay across midnight)", _PARKING,
        _src('''
TICKETS = ["AB-123 08:10 09:40", "CD-456 12:00 12:10", "EF-789 21:30 07:15", "AB-123 17:00 18:00"]


def test_daytime():
    assert daily_report(["AB-123 08:10 09:40", "CD-456 12:00 12:10", "AB-123 17:00 18:00"]) == {"AB-123": 7.5, "CD-456": 0.0}


def test_one_ticket():
    assert daily_report(["EF-789 21:30 07:15"]) == {"EF-789": 18.0}


def test_takings():
    assert takings(TICKETS) == 25.5


def test_longest_stay():
    assert longest_stay(TICKETS) == "EF-789"
'''),
        _patched(_PARKING, ("return minutes(exit) - minutes(entry)", "return (minutes(exit) - minutes(entry)) % (24 * 60)")),
        "stay goes negative for a night (21:30 to 07:15), and fee charges nothing for it."),
    Bug("words", "wrong answer: a missed case (capitalised words)", _WORDS,
        _src('''
def test_top():
    assert top("The cat sat. The cat ran! A dog sat, and the dog ran.") == ["cat", "dog", "ran"]


def test_summary():
    assert summary("Rain. Rain again, rain") == {"words": 4, "distinct": 2, "top": ["rain"]}


def test_plain():
    assert top("b a c b", 2) == ["b", "c"]


def test_longest():
    assert longest("a tree and an elephant") == "elephant"
'''),
        _patched(_WORDS, ("return word.strip(PUNCTUATION)", "return word.strip(PUNCTUATION).lower()")),
        "clean keeps capitals: 'The' is no stop word and 'Rain' is not 'rain'."),
]

HELD_OUT_NAMES = ["releases", "breaks", "basket"]   # random.Random(33).sample of ALL_LONG's names, k=3

LONG_ZOO = [bug for bug in ALL_LONG if bug.name not in HELD_OUT_NAMES]
HELD_OUT = [bug for bug in ALL_LONG if bug.name in HELD_OUT_NAMES]
