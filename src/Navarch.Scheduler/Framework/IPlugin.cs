namespace Navarch.Scheduler.Framework;

/// <summary>A scheduling framework plugin; it implements one interface per extension point it takes part in.</summary>
public interface IPlugin
{
    /// <summary>The name used in configuration and in statuses, e.g. "NodeResourcesFit".</summary>
    string Name { get; }
}
