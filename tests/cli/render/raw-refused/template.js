const a = {{{x}}};
