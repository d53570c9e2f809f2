from hooks.cli.main import main

raise SystemExit(main())
