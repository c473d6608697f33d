using Navarch.Cli;

return await NavarchCommand.Create().Parse(args).InvokeAsync().ConfigureAwait(false);
