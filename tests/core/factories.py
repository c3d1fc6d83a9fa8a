import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

PASSWORD = "pw-for-tests"


class UserFactory(factory.django.DjangoModelFactory):
    """A user with one SellerHub role (`role="Owner"`), or none (`role=None`)."""

    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.test")
    role = None

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        role = kwargs.pop("role", None)
        kwargs.setdefault("is_staff", role == "Ops")
        user = model_class(*args, **kwargs)
        user.set_password(PASSWORD)
        user.save()
        if role:
            user.groups.add(Group.objects.get(name=role))
        return user
