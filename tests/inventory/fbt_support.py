"""Helpers of the FBT tests: an emulated TikTok account, queued jobs run in-process."""

from __future__ import annotations

import django_rq
from rq import SimpleWorker

from devtools.demo.emulated import emulator_connection
from devtools.emulators.tiktok import FBT_WAREHOUSE_ID
from inventory.models import Location
from sellerhub.models import Channel, ChannelAccount


def connect_tiktok(emu, name="TikTok FBT test") -> ChannelAccount:
    url, shop_id, credentials = emulator_connection("tiktok", emu.base_url, emu.state.config.credentials)
    return ChannelAccount.objects.create(name=name, channel=Channel.TIKTOK, api_base_url=url, shop_id=shop_id,
                                         credentials=credentials)


def fbt_location(code="FBT-EMU", external_id=FBT_WAREHOUSE_ID) -> Location:
    return Location.objects.create(code=code, name="TikTok FBT test warehouse", kind=Location.Kind.FBT,
                                   external_id=external_id, sellable=True)


def run_jobs(queue="sync"):
    """Run the jobs on ``queue``; with the sync queue, the stock pushes on the push queue first."""
    queues = [django_rq.get_queue(name) for name in (("push", queue) if queue == "sync" else (queue,))]
    SimpleWorker(queues, connection=queues[0].connection).work(burst=True)
