using System.CommandLine;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Navarch.ApiServer.Hosting;
using Navarch.ApiServer.Security;
using Navarch.Scheduler.Config;
using Navarch.Controllers;
using Navarch.Controllers.Hosting;
using Navarch.Kubelet.Hosting;
using Navarch.Scheduler.Hosting;

namespace Navarch.Cli;

/// <summary><c>navarch server</c>: the control plane on this machine.</summary>
internal static class ServerCommand
{
    public static Command Create()
    {
        var dataDir = new Option<string>("--data-dir", "-d") { Description = "Folder for all state", DefaultValueFactory = _ => DataDirectory.Default() };
        var httpsPort = new Option<int>("--https-port") { Description = "HTTPS port of the API server", DefaultValueFactory = _ => 6443 };
        var bindAddress = new Option<string>("--bind-address") { Description = "Address the API server listens on", DefaultValueFactory = _ => "0.0.0.0" };
        var writeKubeconfig = new Option<string?>("--write-kubeconfig", "-o") { Description = "Also write the admin kubeconfig to this file" };
        var disableAgent = new Option<bool>("--disable-agent") { Description = "Do not run the node agent (kubelet on containerd) on this machine" };
        var kubeletPort = new Option<int>("--kubelet-port") { Description = "The agent's kubelet API HTTPS port (0: any free port)", DefaultValueFactory = _ => 10250 };
        var datastore = new Option<string?>("--datastore-endpoint")
        {
            Description = "etcd endpoints (http://host:2379[,...]) instead of the embedded SQLite store",
        };
        var tlsSans = new Option<string[]>("--tls-san") { Description = "Extra host names or addresses for the serving certificate", AllowMultipleArgumentsPerToken = false };
        var disableScheduler = new Option<bool>("--disable-scheduler") { Description = "Do not run the embedded scheduler" };
        var disableControllerManager = new Option<bool>("--disable-controller-manager") { Description = "Do not run the embedded controller manager" };
        var clusterCidr = new Option<string?>("--cluster-cidr") { Description = "Pod network (default 10.42.0.0/16); each node gets a /24 of it" };
        var controllerManagerArgs = new Option<string[]>("--kube-controller-manager-arg")
        {
            Description = "A flag for the embedded controller manager, key=value (secure-port, bind-address, leader-elect, kube-api-qps, kube-api-burst, " +
                "cluster-cidr, node-cidr-mask-size, controllers, terminated-pod-gc-threshold, node-monitor-grace-period, root-ca-file)",
            AllowMultipleArgumentsPerToken = false,
        };
        var schedulerArgs = new Option<string[]>("--kube-scheduler-arg")
        {
            Description = "A flag for the embedded scheduler, key=value (config, secure-port, bind-address, leader-elect, kube-api-qps, kube-api-burst)",
            AllowMultipleArgumentsPerToken = false,
        };

        var command = new Command("server", "Run a cluster on this machine: API server on an embedded store, scheduler, controller manager and, unless --disable-agent, the node agent.")
        {
            dataDir, httpsPort, bindAddress, writeKubeconfig, disableAgent, kubeletPort, datastore, tlsSans, disableScheduler, schedulerArgs,
            disableControllerManager, clusterCidr, controllerManagerArgs,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (!IPAddress.TryParse(parse.GetValue(bindAddress), out var address))
            {
                await Console.Error.WriteLineAsync($"--bind-address {parse.GetValue(bindAddress)} is not an IP address").ConfigureAwait(false);
                return 2;
            }

            var options = new ApiServerOptions
            {
                DataDir = Path.GetFullPath(parse.GetValue(dataDir)!),
                HttpsPort = parse.GetValue(httpsPort),
                BindAddress = address,
                WriteKubeconfig = parse.GetValue(writeKubeconfig),
                DatastoreEndpoints = (parse.GetValue(datastore) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                TlsSans = parse.GetValue(tlsSans) ?? [],
            };
            SchedulerHostOptions? scheduler = null;
            ControllerManagerHostOptions? controllerManager = null;
            KubeletHostOptions? agent = null;
            try
            {
                options.Validate();
                if (!parse.GetValue(disableScheduler))
                {
                    var settings = new SchedulerSettings();
                    foreach (var argument in parse.GetValue(schedulerArgs) ?? [])
                    {
                        settings.Apply(argument);
                    }

                    scheduler = settings.Build();
                }

                if (!parse.GetValue(disableAgent))
                {
                    agent = new KubeletHostOptions
                    {
                        NodeName = NodeName.Default(),
                        DataDirectory = Path.Combine(options.DataDir, "agent"),
                        KubeletPort = parse.GetValue(kubeletPort),
                        // The API server writes its CA there before the agent starts; the kubelet reads it then.
                        ClientCaFile = Path.Combine(options.DataDir, "server", "tls", ClusterCertificates.CaCertificateFile),
                    };
                    agent.Validate();
                }

                if (!parse.GetValue(disableControllerManager))
                {
                    var settings = new ControllerManagerSettings
                    {
                        // The API server's own CA, written as it starts; root-ca-file in --kube-controller-manager-arg overrides it.
                        RootCaFile = Path.Combine(options.DataDir, "server", "tls", ClusterCertificates.CaCertificateFile),
                    };
                    if (parse.GetValue(clusterCidr) is { } cidr) settings.ClusterCidr = cidr;
                    foreach (var argument in parse.GetValue(controllerManagerArgs) ?? [])
                    {
                        settings.Apply(argument);
                    }

                    controllerManager = settings.Build();
                }
            }
            catch (ArgumentException e)
            {
                await Console.Error.WriteLineAsync(e.Message).ConfigureAwait(false);
                return 2;
            }

            if (agent is not null && await RuntimePackages.EnsureAsync(agent.ContainerRuntimeEndpoint, cancellationToken).ConfigureAwait(false) is { } problem)
            {
                await Console.Error.WriteLineAsync($"navarch server: {problem}").ConfigureAwait(false);
                return 1;
            }

            return await RunAsync(options, scheduler, controllerManager, agent, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    private static async Task<int> RunAsync(
        ApiServerOptions options,
        SchedulerHostOptions? scheduler,
        ControllerManagerHostOptions? controllerManager,
        KubeletHostOptions? agent,
        CancellationToken cancellationToken)
    {
        var builder = Host.CreateApplicationBuilder();
        ConsoleLogging.Configure(builder);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton<ApiServerHost>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ApiServerHost>());
        if (scheduler is not null)
        {
            // Hosted services start in order: the API server listens before the scheduler asks for its client.
            builder.Services.AddSingleton(sp => new SchedulerHost(
                scheduler,
                ComponentIdentity.ClientFactory(sp.GetRequiredService<ApiServerHost>(), "system:kube-scheduler", "navarch-scheduler"),
                sp.GetRequiredService<ILoggerFactory>(),
                sp.GetRequiredService<TimeProvider>()));
            builder.Services.AddHostedService(sp => sp.GetRequiredService<SchedulerHost>());
        }

        if (controllerManager is not null)
        {
            builder.Services.AddSingleton(sp => new ControllerManagerHost(
                controllerManager,
                ControllerRegistry.All,
                ComponentIdentity.ClientFactory(sp.GetRequiredService<ApiServerHost>(), "system:kube-controller-manager", "navarch-controller-manager"),
                sp.GetRequiredService<ILoggerFactory>(),
                sp.GetRequiredService<TimeProvider>()));
            builder.Services.AddHostedService(sp => sp.GetRequiredService<ControllerManagerHost>());
        }

        if (agent is not null)
        {
            // The server's own node: the same kubelet an agent runs, with a node identity issued in process.
            builder.Services.AddSingleton(sp => new KubeletHost(
                agent,
                ComponentIdentity.ClientFactory(sp.GetRequiredService<ApiServerHost>(), $"system:node:{agent.NodeName}", "navarch-kubelet", ["system:nodes"]),
                sp.GetRequiredService<ILoggerFactory>(),
                sp.GetRequiredService<TimeProvider>()));
            builder.Services.AddHostedService(sp => sp.GetRequiredService<KubeletHost>());
        }

        builder.Services.AddHostedService<ReadyAnnouncer>();

        using var host = builder.Build();
        try
        {
            await host.RunAsync(cancellationToken).ConfigureAwait(false);
            return 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or InvalidDataException or SchedulerConfigurationException)
        {
            await Console.Error.WriteLineAsync($"navarch server: {e.Message}").ConfigureAwait(false);
            return 1;
        }
    }
}
