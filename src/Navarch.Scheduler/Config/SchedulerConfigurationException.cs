namespace Navarch.Scheduler.Config;

/// <summary>A configuration file that cannot be parsed or is invalid; <see cref="Errors"/> lists each field's problem.</summary>
public sealed class SchedulerConfigurationException : Exception
{
    public SchedulerConfigurationException(IReadOnlyList<string> errors)
        : base("invalid scheduler configuration: " + string.Join("; ", errors))
    {
        Errors = errors;
    }

    public SchedulerConfigurationException(string error)
        : this([error])
    {
    }

    public IReadOnlyList<string> Errors { get; }
}
