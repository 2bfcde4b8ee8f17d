const a = `a {{x}} b`;
