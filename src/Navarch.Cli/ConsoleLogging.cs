using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Navarch.Cli;

/// <summary>One-line console logs with a time stamp, the same for every command.</summary>
internal static class ConsoleLogging
{
    public static void Configure(HostApplicationBuilder builder)
    {
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(c =>
        {
            c.SingleLine = true;
            c.TimestampFormat = "HH:mm:ss ";
        });
        builder.Logging.SetMinimumLevel(LogLevel.Information);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
    }
}
