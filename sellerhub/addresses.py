"""A postal address as documents print it and label providers send it: a plain value type that
any layer may use (documents, label providers, fulfilment)."""

from __future__ import annotations

from dataclasses import dataclass


def _text(value) -> str:
    return "" if value is None else str(value).strip()


@dataclass(frozen=True)
class Address:
    name: str = ""
    company: str = ""
    street1: str = ""
    street2: str = ""
    city: str = ""
    state: str = ""
    postal_code: str = ""
    country: str = "US"
    phone: str = ""

    def __post_init__(self):
        for f in ("name", "company", "street1", "street2", "city", "state", "postal_code", "phone"):
            object.__setattr__(self, f, _text(getattr(self, f)))
        object.__setattr__(self, "country", _text(self.country).upper())

    @property
    def is_blank(self) -> bool:
        return not (self.name or self.company or self.street1 or self.city)

    @property
    def city_line(self) -> str:
        """ "Los Angeles, CA 90015" (the parts there are)."""
        region = " ".join(p for p in (self.state, self.postal_code) if p)
        return ", ".join(p for p in (self.city, region) if p)

    def lines(self, *, with_country: bool | None = None) -> list[str]:
        """The address as printed, line by line. The country shows when it is not the US,
        unless ``with_country`` says otherwise."""
        if with_country is None:
            with_country = bool(self.country) and self.country != "US"
        out = [self.name, self.company, self.street1, self.street2, self.city_line]
        if with_country and self.country:
            out.append(self.country)
        return [line for line in out if line]

    def sender_lines(self, *, with_country: bool = False) -> list[str]:
        """The address in three lines at most, as a label's sender block prints it: who,
        street, then city (country) and phone."""
        last = ", ".join(p for p in (self.city_line, self.country if with_country else "") if p)
        lines = [
            ", ".join(p for p in (self.name, self.company) if p),
            ", ".join(p for p in (self.street1, self.street2) if p),
            "  ·  ".join(p for p in (last, self.phone) if p),
        ]
        return [line for line in lines if line]

    def one_line(self) -> str:
        return ", ".join(self.lines())

    @classmethod
    def from_order(cls, order) -> Address:
        """The ship-to of an ``orders.Order`` (read from its ``ship_*`` fields)."""
        return cls(
            name=order.ship_name,
            company=order.ship_company,
            street1=order.ship_street1,
            street2=order.ship_street2,
            city=order.ship_city,
            state=order.ship_state,
            postal_code=order.ship_postal_code,
            country=order.ship_country or "US",
            phone=order.ship_phone,
        )

    @classmethod
    def from_location(cls, location) -> Address:
        """The ship-from of an own warehouse (an ``inventory.Location``)."""
        return cls(
            name=location.contact_name,
            company=location.company or location.name,
            street1=location.street1,
            street2=location.street2,
            city=location.city,
            state=location.state,
            postal_code=location.postal_code,
            country=location.country or "US",
            phone=location.phone,
        )
