"""No product module over 500 lines (tests/module_size.py), so ``make test`` fails on one too."""

from tests import module_size


def test_no_product_module_is_over_500_lines():
    found = module_size.oversized()
    assert not found, module_size.report(found)


def test_the_checker_flags_a_501_line_module_and_skips_migrations_and_devtools(tmp_path):
    (tmp_path / "orders" / "migrations").mkdir(parents=True)
    (tmp_path / "devtools").mkdir()
    (tmp_path / "orders" / "long.py").write_text("x = 1\n" * 501)
    (tmp_path / "orders" / "fine.py").write_text("x = 1\n" * 500)
    (tmp_path / "orders" / "migrations" / "0001_initial.py").write_text("x = 1\n" * 900)
    (tmp_path / "devtools" / "long.py").write_text("x = 1\n" * 900)
    found = module_size.oversized(tmp_path, packages=("orders", "devtools"))
    assert found == [("orders/long.py", 501)]
    assert "orders/long.py: 501 lines" in module_size.report(found)
