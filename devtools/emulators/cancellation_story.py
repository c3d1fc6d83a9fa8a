"""The buyer cancellation requests of the demo's seeded world (``world.seed_world`` plays them
after the orders): two buyers asked TikTok to cancel unshipped orders shortly before the anchor,
one answer due 90 minutes after it, one the next day. Deterministic like the rest of the world,
so the emulator process and the demo loader (``devtools/demo/cancellation_requests.py``) hold the
same cancel ids, and a decision taken in SellerHub reaches the emulated TikTok shop."""

from __future__ import annotations

H = 3600.0
# (story order, the buyer's reason, opened hours before the anchor, deadline hours after it)
REQUESTS: tuple[tuple[str, str, float, float], ...] = (
    ("tt-later-2", "Found a better price", 0.5, 1.5),
    ("tt-later-3", "Ordered the wrong size or color", 1.0, 20.0),
)


def seed_cancellations(state, seeded: list, anchor: float) -> None:
    by_name = {s.story.name: s for s in seeded}
    for name, reason, opened_h, due_h in REQUESTS:
        story = by_name.get(name)
        if story is None or story.channel != "tiktok":
            continue
        opened = anchor - opened_h * H
        state.tiktok.cancellation_desk.open_request(story.order_id, reason=reason, at=opened,
                                                    respond_within=int((opened_h + due_h) * H))
