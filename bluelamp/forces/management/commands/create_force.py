from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.text import slugify

from bluelamp.forces.models import Force


class Command(BaseCommand):
    help = "Create a force: bluelamp create-force SLUG --name NAME"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")
        parser.add_argument("--name", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        slug = options["slug"]
        if slugify(slug) != slug:
            raise CommandError(f"slug: {slug!r} must be lower-case letters, digits and hyphens")
        if Force.objects.filter(slug=slug).exists():
            raise CommandError(f"slug: a force {slug!r} already exists")
        force = Force.objects.create(slug=slug, name=options["name"])
        self.stdout.write(f"Created force {force.slug} ({force.name})")
