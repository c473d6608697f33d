using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Navarch.Client;

namespace Navarch.Cli;

/// <summary>
/// Runs one component (<c>navarch scheduler</c>, <c>navarch controller-manager</c>) alone against an API server
/// named by a kubeconfig: checks the flags, composes a host with the component's hosted service, and turns
/// expected failures into one line and an exit code (2 for bad flags, 1 for a failure while running).
/// </summary>
internal static class StandaloneComponent
{
    public static async Task<int> RunAsync<TOptions, THost>(
        string command,
        string kubeconfig,
        Func<TOptions> buildOptions,
        Func<IServiceProvider, TOptions, Func<ClientRateLimit, k8s.IKubernetes>, THost> createHost,
        Func<Exception, bool> isExpectedFailure,
        CancellationToken cancellationToken)
        where THost : class, IHostedService
    {
        var kubeconfigPath = Path.GetFullPath(kubeconfig);
        TOptions options;
        try
        {
            if (!File.Exists(kubeconfigPath))
            {
                throw new ArgumentException($"--kubeconfig {kubeconfigPath}: no such file");
            }

            options = buildOptions();
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync(e.Message).ConfigureAwait(false);
            return 2;
        }

        var builder = Host.CreateApplicationBuilder();
        ConsoleLogging.Configure(builder);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(sp => createHost(
            sp, options, limit => KubeClientFactory.FromKubeconfig(kubeconfigPath, limit, $"navarch-{command}")));
        builder.Services.AddHostedService(sp => sp.GetRequiredService<THost>());
        using var host = builder.Build();
        try
        {
            await host.RunAsync(cancellationToken).ConfigureAwait(false);
            return 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException
            or k8s.Exceptions.KubeConfigException || isExpectedFailure(e))
        {
            await Console.Error.WriteLineAsync($"navarch {command}: {e.Message}").ConfigureAwait(false);
            return 1;
        }
    }
}
