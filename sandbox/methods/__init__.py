"""The Bot API methods the sandbox models, one mixin of BotApiSandbox per group of methods."""
