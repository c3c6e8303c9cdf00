"""HTTP blueprints, one per resource: parse → call one service → shape the answer."""
