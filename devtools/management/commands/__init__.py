"""``load_demo_data``: the demo users and the demo data of every area."""
