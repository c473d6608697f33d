using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Navarch.Client;
using Navarch.Scheduler.Config;
using Navarch.Scheduler.Hosting;

namespace Navarch.Cli;

/// <summary><c>navarch scheduler</c>: the scheduler alone, as a client of any API server (kube-scheduler's flags).</summary>
internal static class SchedulerCommand
{
    public static Command Create()
    {
        var kubeconfig = new Option<string>("--kubeconfig") { Description = "kubeconfig with the API server and this scheduler's identity", Required = true };
        var config = new Option<string?>("--config") { Description = "KubeSchedulerConfiguration file (profiles, plugins, leader election)" };
        var securePort = new Option<int>("--secure-port") { Description = "HTTPS port for /healthz and /metrics; 0 turns it off", DefaultValueFactory = _ => SchedulerHostOptions.DefaultSecurePort };
        var bindAddress = new Option<string>("--bind-address") { Description = "Address for /healthz and /metrics", DefaultValueFactory = _ => "0.0.0.0" };
        var leaderElect = new Option<bool?>("--leader-elect") { Description = "Campaign for the kube-system/kube-scheduler Lease before scheduling (default true)" };
        var qps = new Option<float>("--kube-api-qps") { Description = "Requests per second to the API server", DefaultValueFactory = _ => SchedulerHostOptions.DefaultRateLimit.Qps };
        var burst = new Option<int>("--kube-api-burst") { Description = "Burst of requests to the API server", DefaultValueFactory = _ => SchedulerHostOptions.DefaultRateLimit.Burst };

        var command = new Command("scheduler", "Run the scheduler against an API server.")
        {
            kubeconfig, config, securePort, bindAddress, leaderElect, qps, burst,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var settings = new SchedulerSettings
            {
                ConfigPath = parse.GetValue(config),
                SecurePort = parse.GetValue(securePort),
                BindAddress = parse.GetValue(bindAddress)!,
                LeaderElect = parse.GetValue(leaderElect),
                Qps = parse.GetValue(qps),
                Burst = parse.GetValue(burst),
            };
            var kubeconfigPath = Path.GetFullPath(parse.GetValue(kubeconfig)!);
            SchedulerHostOptions options;
            try
            {
                if (!File.Exists(kubeconfigPath))
                {
                    throw new ArgumentException($"--kubeconfig {kubeconfigPath}: no such file");
                }

                options = settings.Build();
            }
            catch (ArgumentException e)
            {
                await Console.Error.WriteLineAsync(e.Message).ConfigureAwait(false);
                return 2;
            }

            var builder = Host.CreateApplicationBuilder();
            ConsoleLogging.Configure(builder);
            builder.Services.AddSingleton(TimeProvider.System);
            builder.Services.AddSingleton(options);
            builder.Services.AddSingleton<Func<ClientRateLimit, k8s.IKubernetes>>(_ => limit => KubeClientFactory.FromKubeconfig(kubeconfigPath, limit, "navarch-scheduler"));
            builder.Services.AddSingleton<SchedulerHost>();
            builder.Services.AddHostedService(sp => sp.GetRequiredService<SchedulerHost>());
            using var host = builder.Build();
            try
            {
                await host.RunAsync(cancellationToken).ConfigureAwait(false);
                return 0;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException
                or SchedulerConfigurationException or k8s.Exceptions.KubeConfigException)
            {
                await Console.Error.WriteLineAsync($"navarch scheduler: {e.Message}").ConfigureAwait(false);
                return 1;
            }
        });
        return command;
    }
}
