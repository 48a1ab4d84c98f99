"""An appointment as stored in the person's booking hash, and its JSON."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime

from cnam.booking.calendar import Slot


@dataclass
class Booking:
    id: str
    chat_id: str
    adviser_id: str
    adviser_name: str
    mode: str
    start: datetime  # aware
    end: datetime
    telephone: str | None = None
    sequence: int = 0  # bumped when the appointment moves (the .ics UID stays)
    slot_key: str = ""

    @property
    def slot_id(self) -> str:
        return Slot(self.adviser_id, self.start, self.end).id

    def to_json(self) -> str:
        data = asdict(self)
        data["start"] = self.start.isoformat()
        data["end"] = self.end.isoformat()
        data["end_ts"] = int(self.end.timestamp())  # read by the Lua script
        return json.dumps(data, ensure_ascii=False)

    @classmethod
    def from_json(cls, raw: str) -> Booking:
        data = json.loads(raw)
        data.pop("end_ts", None)
        data["start"] = datetime.fromisoformat(data["start"])
        data["end"] = datetime.fromisoformat(data["end"])
        return cls(**data)
