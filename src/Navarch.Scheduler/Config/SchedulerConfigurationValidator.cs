using Navarch.Scheduler.Framework;

namespace Navarch.Scheduler.Config;

/// <summary>kube-scheduler's configuration validation, with errors named by field path.</summary>
internal static class SchedulerConfigurationValidator
{
    public static List<string> Validate(SchedulerConfiguration config, IReadOnlyDictionary<string, PluginFactory> registry)
    {
        List<string> errors = [];
        if (config.PercentageOfNodesToScore is < 0 or > 100)
        {
            errors.Add($"percentageOfNodesToScore: Invalid value: {config.PercentageOfNodesToScore}: not in valid range [0-100]");
        }

        if (config.PodInitialBackoffSeconds <= 0)
        {
            errors.Add($"podInitialBackoffSeconds: Invalid value: {config.PodInitialBackoffSeconds}: must be greater than 0");
        }

        if (config.PodMaxBackoffSeconds < config.PodInitialBackoffSeconds)
        {
            errors.Add($"podMaxBackoffSeconds: Invalid value: {config.PodMaxBackoffSeconds}: must be greater than or equal to PodInitialBackoffSeconds");
        }

        if (config.Parallelism <= 0)
        {
            errors.Add($"parallelism: Invalid value: {config.Parallelism}: should be an integer value greater than zero");
        }

        var le = config.LeaderElection;
        if (le.LeaderElect)
        {
            if (le.LeaseDuration <= le.RenewDeadline)
            {
                errors.Add("leaderElection.leaseDuration: Invalid value: leaseDuration must be greater than renewDeadline");
            }

            if (le.RenewDeadline <= le.RetryPeriod)
            {
                errors.Add("leaderElection.renewDeadline: Invalid value: renewDeadline must be greater than retryPeriod");
            }
        }

        if (config.Profiles.Count == 0) errors.Add("profiles: Required value");

        HashSet<string> names = new(StringComparer.Ordinal);
        for (var i = 0; i < config.Profiles.Count; i++)
        {
            var profile = config.Profiles[i];
            var path = $"profiles[{i}]";
            if (string.IsNullOrEmpty(profile.SchedulerName))
            {
                errors.Add($"{path}.schedulerName: Required value");
            }
            else if (!names.Add(profile.SchedulerName))
            {
                errors.Add($"{path}.schedulerName: Duplicate value: \"{profile.SchedulerName}\"");
            }

            ValidatePluginSet(profile.Plugins.MultiPoint, $"{path}.plugins.multiPoint", registry, errors);
            foreach (var (point, set) in profile.Plugins.Points)
            {
                ValidatePluginSet(set, $"{path}.plugins.{CamelCase(point)}", registry, errors);
            }

            HashSet<string> configured = new(StringComparer.Ordinal);
            for (var j = 0; j < profile.PluginConfig.Count; j++)
            {
                var entry = profile.PluginConfig[j];
                if (!configured.Add(entry.Name))
                {
                    errors.Add($"{path}.pluginConfig[{j}].name: Duplicate value: \"{entry.Name}\"");
                }
                else if (!registry.ContainsKey(entry.Name))
                {
                    errors.Add($"{path}.pluginConfig[{j}].name: Invalid value: \"{entry.Name}\": plugin \"{entry.Name}\" does not exist");
                }
            }
        }

        // As kube-scheduler: all profiles share one queue, so they must agree on how to sort it.
        if (config.Profiles.Count > 1 && errors.Count == 0)
        {
            var first = QueueSortOf(config.Profiles[0]);
            for (var i = 1; i < config.Profiles.Count; i++)
            {
                if (QueueSortOf(config.Profiles[i]) != first)
                {
                    errors.Add($"profiles[{i}].plugins.queueSort: Invalid value: queueSort must be the same for all profiles");
                }
            }
        }

        return errors;
    }

    private static void ValidatePluginSet(PluginSet set, string path, IReadOnlyDictionary<string, PluginFactory> registry, List<string> errors)
    {
        for (var i = 0; i < set.Enabled.Count; i++)
        {
            var plugin = set.Enabled[i];
            if (!registry.ContainsKey(plugin.Name))
            {
                errors.Add($"{path}.enabled[{i}].name: Invalid value: \"{plugin.Name}\": plugin \"{plugin.Name}\" does not exist");
            }

            if (plugin.Weight is < 0 or > (int)ScoreLimits.MaxNodeScore)
            {
                errors.Add($"{path}.enabled[{i}].weight: Invalid value: {plugin.Weight}: must be in the range [0, {ScoreLimits.MaxNodeScore}]");
            }
        }

        for (var i = 0; i < set.Disabled.Count; i++)
        {
            var name = set.Disabled[i];
            if (name != "*" && !registry.ContainsKey(name))
            {
                errors.Add($"{path}.disabled[{i}].name: Invalid value: \"{name}\": plugin \"{name}\" does not exist");
            }
        }
    }

    /// <summary>The queue sort plugin a profile names explicitly; profiles that name none use the default.</summary>
    private static string QueueSortOf(SchedulerProfile profile)
    {
        var set = profile.Plugins.Get(ExtensionPoint.QueueSort);
        return set.Enabled.Count > 0 ? set.Enabled[0].Name : "PrioritySort";
    }

    internal static string CamelCase(ExtensionPoint point)
    {
        var name = point.ToString();
        return char.ToLowerInvariant(name[0]) + name[1..];
    }
}
