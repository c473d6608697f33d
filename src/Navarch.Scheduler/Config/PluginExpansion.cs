namespace Navarch.Scheduler.Config;

/// <summary>Merges a profile's multiPoint set with <see cref="DefaultPlugins"/>, as kube-scheduler's v1 defaulting does.</summary>
internal static class PluginExpansion
{
    /// <summary>
    /// Defaults not disabled keep their position (a user entry with the same name replaces it in place, e.g. to
    /// change a weight); other user entries follow in their order. "*" drops every default.
    /// </summary>
    public static List<PluginRef> MergeWithDefaults(PluginSet user)
    {
        List<PluginRef> result = [];
        HashSet<string> replaced = new(StringComparer.Ordinal);
        if (!user.DisablesAll)
        {
            foreach (var plugin in DefaultPlugins.MultiPoint)
            {
                if (user.Disabled.Contains(plugin.Name)) continue;
                var custom = Find(user.Enabled, plugin.Name);
                if (custom is not null)
                {
                    result.Add(custom);
                    replaced.Add(plugin.Name);
                }
                else
                {
                    result.Add(plugin);
                }
            }
        }

        foreach (var plugin in user.Enabled)
        {
            if (!replaced.Contains(plugin.Name)) result.Add(plugin);
        }

        return result;
    }

    private static PluginRef? Find(IReadOnlyList<PluginRef> plugins, string name)
    {
        foreach (var plugin in plugins)
        {
            if (plugin.Name == name) return plugin;
        }

        return null;
    }
}
