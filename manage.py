#!/usr/bin/env python
from bluelamp.cli import main

if __name__ == "__main__":
    main()
