using System.Globalization;
using System.Net;
using Navarch.Client;
using Navarch.Client.Serving;
using Navarch.Scheduler.Config;
using Navarch.Scheduler.Hosting;
using Navarch.Scheduler.Plugins;

namespace Navarch.Cli;

/// <summary>
/// kube-scheduler's flags that Navarch accepts, from <c>navarch scheduler</c> or from
/// <c>navarch server --kube-scheduler-arg key=value</c> (as k3s passes them through), turned into host options.
/// </summary>
internal sealed class SchedulerSettings
{
    public string? ConfigPath { get; set; }

    public int SecurePort { get; set; } = SchedulerHostOptions.DefaultSecurePort;

    public string BindAddress { get; set; } = "127.0.0.1";

    public bool? LeaderElect { get; set; }

    public float Qps { get; set; } = SchedulerHostOptions.DefaultRateLimit.Qps;

    public int Burst { get; set; } = SchedulerHostOptions.DefaultRateLimit.Burst;

    /// <summary>Applies one <c>key=value</c> of <c>--kube-scheduler-arg</c>; throws ArgumentException on an unknown key or bad value.</summary>
    public void Apply(string argument)
    {
        var separator = argument.IndexOf('=', StringComparison.Ordinal);
        if (separator <= 0)
        {
            throw new ArgumentException($"--kube-scheduler-arg {argument}: expected key=value");
        }

        var key = argument[..separator].TrimStart('-');
        var value = argument[(separator + 1)..];
        switch (key)
        {
            case "config": ConfigPath = value; break;
            case "secure-port": SecurePort = ParseInt(key, value); break;
            case "bind-address": BindAddress = value; break;
            case "leader-elect": LeaderElect = bool.TryParse(value, out var b) ? b : throw Bad(key, value); break;
            case "kube-api-qps": Qps = float.TryParse(value, CultureInfo.InvariantCulture, out var q) ? q : throw Bad(key, value); break;
            case "kube-api-burst": Burst = ParseInt(key, value); break;
            default: throw new ArgumentException($"--kube-scheduler-arg {argument}: unknown flag {key} (known: config, secure-port, bind-address, leader-elect, kube-api-qps, kube-api-burst)");
        }
    }

    /// <summary>Reads the configuration file (if any) and builds the options; throws ArgumentException with the reason.</summary>
    public SchedulerHostOptions Build()
    {
        var configuration = SchedulerConfiguration.Default;
        if (ConfigPath is not null)
        {
            try
            {
                configuration = SchedulerConfiguration.Parse(File.ReadAllText(ConfigPath));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or SchedulerConfigurationException)
            {
                throw new ArgumentException($"--config {ConfigPath}: {e.Message}", e);
            }
        }

        try
        {
            // Unknown plugins and bad profiles are refused here, before anything starts, as kube-scheduler refuses them.
            configuration.Validate(InTreePlugins.Registry);
        }
        catch (SchedulerConfigurationException e)
        {
            throw new ArgumentException(ConfigPath is null ? e.Message : $"--config {ConfigPath}: {e.Message}", e);
        }

        if (LeaderElect is { } elect)
        {
            configuration = configuration with { LeaderElection = configuration.LeaderElection with { LeaderElect = elect } };
        }

        if (!IPAddress.TryParse(BindAddress, out var address))
        {
            throw new ArgumentException($"--bind-address {BindAddress} is not an IP address");
        }

        if (Qps <= 0 || Burst <= 0)
        {
            throw new ArgumentException("--kube-api-qps and --kube-api-burst must be positive");
        }

        var serving = new ComponentServerOptions { SecurePort = SecurePort, BindAddress = address };
        serving.Validate();
        return new SchedulerHostOptions { Configuration = configuration, Serving = serving, RateLimit = new ClientRateLimit(Qps, Burst) };
    }

    private static int ParseInt(string key, string value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : throw Bad(key, value);

    private static ArgumentException Bad(string key, string value) => new($"--{key} {value}: not a valid value");
}
