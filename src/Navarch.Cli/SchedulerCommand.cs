using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
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
            return await StandaloneComponent.RunAsync(
                "scheduler",
                parse.GetValue(kubeconfig)!,
                settings.Build,
                (sp, options, clients) => new SchedulerHost(
                    options, clients, sp.GetRequiredService<ILoggerFactory>(), sp.GetRequiredService<TimeProvider>()),
                e => e is SchedulerConfigurationException,
                cancellationToken).ConfigureAwait(false);
        });
        return command;
    }
}
