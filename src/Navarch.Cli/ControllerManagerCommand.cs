using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Navarch.Controllers;
using Navarch.Controllers.Hosting;

namespace Navarch.Cli;

/// <summary><c>navarch controller-manager</c>: the controllers alone, as a client of any API server (kube-controller-manager's flags).</summary>
internal static class ControllerManagerCommand
{
    public static Command Create()
    {
        var defaults = new ControllerManagerSettings();
        var kubeconfig = new Option<string>("--kubeconfig") { Description = "kubeconfig with the API server and this component's identity", Required = true };
        var securePort = new Option<int>("--secure-port") { Description = "HTTPS port for /healthz and /metrics; 0 turns it off", DefaultValueFactory = _ => defaults.SecurePort };
        var bindAddress = new Option<string>("--bind-address") { Description = "Address for /healthz and /metrics", DefaultValueFactory = _ => "0.0.0.0" };
        var leaderElect = new Option<bool?>("--leader-elect") { Description = "Campaign for the kube-system/kube-controller-manager Lease first (default true)" };
        var qps = new Option<float>("--kube-api-qps") { Description = "Requests per second to the API server", DefaultValueFactory = _ => defaults.Qps };
        var burst = new Option<int>("--kube-api-burst") { Description = "Burst of requests to the API server", DefaultValueFactory = _ => defaults.Burst };
        var clusterCidr = new Option<string>("--cluster-cidr") { Description = "Pod network; each node gets a slice of it", DefaultValueFactory = _ => defaults.ClusterCidr };
        var maskSize = new Option<int>("--node-cidr-mask-size") { Description = "Prefix length of each node's pod CIDR", DefaultValueFactory = _ => defaults.NodeCidrMaskSize };
        var rootCaFile = new Option<string?>("--root-ca-file")
        {
            Description = "Cluster CA published to every namespace as ConfigMap kube-root-ca.crt (default: the kubeconfig's certificate authority)",
        };
        var controllers = new Option<string>("--controllers") { Description = "Controllers to run: '*' for all, 'name' to add one, '-name' to leave one out", DefaultValueFactory = _ => "*" };

        var command = new Command("controller-manager", "Run the controller manager against an API server.")
        {
            kubeconfig, securePort, bindAddress, leaderElect, qps, burst, clusterCidr, maskSize, controllers, rootCaFile,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var settings = new ControllerManagerSettings
            {
                SecurePort = parse.GetValue(securePort),
                BindAddress = parse.GetValue(bindAddress)!,
                LeaderElect = parse.GetValue(leaderElect) ?? true,
                Qps = parse.GetValue(qps),
                Burst = parse.GetValue(burst),
                ClusterCidr = parse.GetValue(clusterCidr)!,
                NodeCidrMaskSize = parse.GetValue(maskSize),
                Controllers = parse.GetValue(controllers)!,
                RootCaFile = parse.GetValue(rootCaFile) is { Length: > 0 } file ? Path.GetFullPath(file) : null,
            };
            return await StandaloneComponent.RunAsync(
                "controller-manager",
                parse.GetValue(kubeconfig)!,
                () =>
                {
                    settings.RootCaData ??= settings.RootCaFile is null ? KubeconfigCa.Read(parse.GetValue(kubeconfig)!) : null;
                    return settings.Build();
                },
                (sp, options, clients) => new ControllerManagerHost(
                    options, ControllerRegistry.All, clients,
                    sp.GetRequiredService<ILoggerFactory>(), sp.GetRequiredService<TimeProvider>()),
                _ => false,
                cancellationToken).ConfigureAwait(false);
        });
        return command;
    }
}
