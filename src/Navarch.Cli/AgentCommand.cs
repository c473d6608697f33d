using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Navarch.Kubelet.Hosting;
using Navarch.Kubelet.Join;
using Navarch.Kubelet.Server;

namespace Navarch.Cli;

/// <summary>
/// <c>navarch agent</c>: joins this machine to a cluster as a node. The node token (the server's
/// <c>server/token</c>) pins the server's CA and buys the agent its own client certificate through the API.
/// </summary>
internal static class AgentCommand
{
    public static Command Create()
    {
        var server = new Option<string>("--server", "-s") { Description = "The API server, https://host:6443", Required = true };
        var token = new Option<string>("--token", "-t") { Description = "The node token from the server's <data-dir>/server/token", Required = true };
        var nodeName = new Option<string?>("--node-name") { Description = "The node's name (default: the host name)" };
        var dataDir = new Option<string>("--data-dir", "-d") { Description = "Folder for all state", DefaultValueFactory = _ => DataDirectory.Default() };
        var runtime = new Option<string?>("--container-runtime-endpoint") { Description = "An existing CRI socket instead of a supervised containerd" };
        var kubeletPort = new Option<int>("--kubelet-port") { Description = "The kubelet API's HTTPS port (0: any free port)", DefaultValueFactory = _ => 10250 };

        var command = new Command("agent", "Join this machine to a cluster as a node: kubelet on containerd.")
        {
            server, token, nodeName, dataDir, runtime, kubeletPort,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (!Uri.TryCreate(parse.GetValue(server), UriKind.Absolute, out var serverUrl) || serverUrl.Scheme != Uri.UriSchemeHttps)
            {
                await Console.Error.WriteLineAsync($"--server {parse.GetValue(server)} is not an https:// URL").ConfigureAwait(false);
                return 2;
            }

            var options = new KubeletHostOptions
            {
                NodeName = parse.GetValue(nodeName) ?? NodeName.Default(),
                DataDirectory = Path.Combine(Path.GetFullPath(parse.GetValue(dataDir)!), "agent"),
                ContainerRuntimeEndpoint = parse.GetValue(runtime),
                KubeletPort = parse.GetValue(kubeletPort),
            };
            try
            {
                options.Validate();
            }
            catch (ArgumentException e)
            {
                await Console.Error.WriteLineAsync(e.Message).ConfigureAwait(false);
                return 2;
            }

            if (await RuntimePackages.EnsureAsync(options.ContainerRuntimeEndpoint, cancellationToken).ConfigureAwait(false) is { } problem)
            {
                await Console.Error.WriteLineAsync($"navarch agent: {problem}").ConfigureAwait(false);
                return 1;
            }

            string kubeconfig;
            try
            {
                kubeconfig = await new AgentBootstrap(TimeProvider.System)
                    .EnsureKubeconfigAsync(serverUrl, parse.GetValue(token)!, options.NodeName, options.DataDirectory, cancellationToken)
                    .ConfigureAwait(false);

                // The cluster CA that came with the join is what the API server's kubelet client certificate chains to.
                options = options with { ClientCaPem = KubeletClientCa.FromKubeconfig(kubeconfig) };
            }
            catch (Exception e) when (e is JoinException or FormatException or HttpRequestException or IOException)
            {
                await Console.Error.WriteLineAsync($"navarch agent: joining {serverUrl} failed: {e.Message}").ConfigureAwait(false);
                return 1;
            }

            return await StandaloneComponent.RunAsync(
                "agent",
                kubeconfig,
                () => options,
                (sp, agentOptions, clients) => new KubeletHost(
                    agentOptions, clients, sp.GetRequiredService<ILoggerFactory>(), sp.GetRequiredService<TimeProvider>()),
                _ => false,
                cancellationToken).ConfigureAwait(false);
        });
        return command;
    }
}
