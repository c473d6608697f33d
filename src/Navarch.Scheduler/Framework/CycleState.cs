using System.Collections.Concurrent;

namespace Navarch.Scheduler.Framework;

/// <summary>
/// Data plugins share within one scheduling cycle (PreFilter computes, Filter reads), keyed by a name the plugin
/// owns. Values that preemption mutates while simulating (AddPod/RemovePod) implement <see cref="ICloneable"/>
/// so <see cref="Clone"/> gives the simulation its own copy.
/// </summary>
public sealed class CycleState
{
    // Written by PreFilter/PreScore on one thread, read by Filter/Score on many: reads must not take a lock.
    private readonly ConcurrentDictionary<string, object> _values = new(StringComparer.Ordinal);

    /// <summary>Plugins whose PreScore returned Skip; the framework does not call their Score.</summary>
    public HashSet<string> SkipScorePlugins { get; } = new(StringComparer.Ordinal);

    /// <summary>Plugins whose PreFilter returned Skip; the framework does not call their Filter.</summary>
    public HashSet<string> SkipFilterPlugins { get; } = new(StringComparer.Ordinal);

    public void Write(string key, object value) => _values[key] = value;

    public bool TryRead<T>(string key, out T value)
        where T : class
    {
        if (_values.TryGetValue(key, out var found) && found is T typed)
        {
            value = typed;
            return true;
        }

        value = null!; // The caller checks the return value; there is no value to give.
        return false;
    }

    public CycleState Clone()
    {
        var copy = new CycleState();
        foreach (var (key, value) in _values)
        {
            copy._values[key] = value is ICloneable cloneable ? cloneable.Clone() : value;
        }

        copy.SkipFilterPlugins.UnionWith(SkipFilterPlugins);
        copy.SkipScorePlugins.UnionWith(SkipScorePlugins);
        return copy;
    }
}
