using Microsoft.Extensions.Hosting;
using Navarch.ApiServer.Hosting;

namespace Navarch.Cli;

/// <summary>Prints the one line a user needs once the API server serves: how to point kubectl at it.</summary>
internal sealed class ReadyAnnouncer(ApiServerOptions options, ApiServerHost apiServer) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        Console.Out.WriteLine($"Navarch is ready at {apiServer.Url}. To use kubectl:");
        Console.Out.WriteLine($"export KUBECONFIG={options.KubeconfigPath}");
        Console.Out.Flush();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
