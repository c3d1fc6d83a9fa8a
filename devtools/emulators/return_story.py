"""The TikTok returns of the demo's seeded world (``world.seed_world`` plays them after the orders),
one in each state the seller meets: a return-and-refund request waiting for a decision (due the
next day), a refund-only request due two hours after the anchor (TikTok approves it itself if
nobody decides), a return approved on Seller Center whose parcel the buyer has shipped (the
warehouse can scan it), and a refund TikTok approved on its own after the deadline passed.
Deterministic like the rest of the world, so the emulator process and the demo loader
(``devtools/demo/returns.py``) hold the same return ids."""

from __future__ import annotations

H = 3600.0
DAMAGED = "ecom_order_delivered_refund_and_return_reason_damaged"
WRONG = "ecom_order_delivered_refund_and_return_reason_wrong_item"
SIZE = "ecom_order_delivered_refund_and_return_reason_size_fit"
# (story order, type, reason, opened hours before the anchor, deadline hours after it, what happened)
RETURNS: tuple[tuple[str, str, str, float, float, str], ...] = (
    ("tt-delivered-0", "RETURN_AND_REFUND", DAMAGED, 4.0, 20.0, "pending"),
    ("tt-delivered-1", "REFUND", WRONG, 30.0, 2.0, "pending"),
    ("tt-delivered-2", "RETURN_AND_REFUND", SIZE, 70.0, -40.0, "shipped"),
    ("tt-completed", "REFUND", SIZE, 120.0, -60.0, "auto_approved"),
)


def seed_returns(state, seeded: list, anchor: float) -> None:
    by_name = {s.story.name: s for s in seeded}
    desk = state.tiktok.returns_desk
    for name, kind, reason, opened_h, due_h, then in RETURNS:
        story = by_name.get(name)
        if story is None or story.channel != "tiktok":
            continue
        opened = anchor - opened_h * H
        return_id = desk.open_return(story.order_id, return_type=kind, reason=reason, at=opened,
                                     respond_within=int((opened_h + due_h) * H),
                                     note="Sent a photo of the damage" if reason == DAMAGED else "")
        if then == "shipped":
            desk.seller_approves_return(return_id, at=opened + 6 * H)
            desk.buyer_ships(return_id, tracking_number=f"94001118992{int(story.order_id) % 10**11:011d}",
                             at=opened + 30 * H)
        elif then == "auto_approved":
            desk.tick(at=anchor - (-due_h - 1) * H)
