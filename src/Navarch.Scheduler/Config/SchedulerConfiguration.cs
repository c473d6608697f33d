using Navarch.Scheduler.Framework;

namespace Navarch.Scheduler.Config;

/// <summary>
/// KubeSchedulerConfiguration (kubescheduler.config.k8s.io/v1) with kube-scheduler's defaults. Parse a file with
/// <see cref="Parse"/>; <see cref="Validate"/> checks it against the plugins this build has.
/// </summary>
public sealed record SchedulerConfiguration
{
    public const string ApiVersionV1 = "kubescheduler.config.k8s.io/v1";
    public const string KindName = "KubeSchedulerConfiguration";

    /// <summary>Percentage of nodes to find feasible before scoring; 0 lets the scheduler pick adaptively.</summary>
    public int PercentageOfNodesToScore { get; init; }

    public int PodInitialBackoffSeconds { get; init; } = 1;

    public int PodMaxBackoffSeconds { get; init; } = 10;

    /// <summary>How many nodes Filter and Score run on at once.</summary>
    public int Parallelism { get; init; } = 16;

    public IReadOnlyList<SchedulerProfile> Profiles { get; init; } = [new SchedulerProfile()];

    public LeaderElectionConfiguration LeaderElection { get; init; } = new();

    /// <summary>The defaults: one "default-scheduler" profile with the default plugins.</summary>
    public static SchedulerConfiguration Default { get; } = new();

    /// <summary>Parses YAML or JSON; throws <see cref="SchedulerConfigurationException"/> on a syntax or field error.</summary>
    public static SchedulerConfiguration Parse(string text) => SchedulerConfigurationParser.Parse(text);

    /// <summary>
    /// Checks ranges, duplicate profiles and plugin names against <paramref name="registry"/>; throws
    /// <see cref="SchedulerConfigurationException"/> listing every problem.
    /// </summary>
    public void Validate(IReadOnlyDictionary<string, PluginFactory> registry)
    {
        var errors = SchedulerConfigurationValidator.Validate(this, registry);
        if (errors.Count > 0) throw new SchedulerConfigurationException(errors);
    }
}
