"""The class dashboard's live socket: a teacher's browser, signed in by its Django session."""

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from players.selectors import classroom_get_for_teacher
from web.live import classroom_group_name


class ClassroomLiveConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        user = self.scope.get("user")
        classroom_id = int(self.scope["url_route"]["kwargs"]["classroom_id"])
        classroom = None
        if user is not None and user.is_authenticated:
            classroom = await database_sync_to_async(classroom_get_for_teacher)(teacher=user, classroom_id=classroom_id)
        await self.accept()
        if classroom is None:
            # As the pages: another teacher's class is as unknown as a missing one.
            await self.close(code=4404)
            return
        self.group = classroom_group_name(classroom_id=classroom.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)

    async def disconnect(self, code) -> None:
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content, **kwargs) -> None:
        """The browser only listens."""

    async def live_event(self, message) -> None:
        await self.send_json(message["event"])
