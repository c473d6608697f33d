namespace Navarch.Scheduler.Plugins.NodeResourcesFit;

/// <summary>NodeResourcesFitArgs as written in KubeSchedulerConfiguration (camelCase JSON).</summary>
internal sealed class NodeResourcesFitArgs
{
    public List<string>? IgnoredResources { get; init; }

    public List<string>? IgnoredResourceGroups { get; init; }

    public ScoringStrategyArgs? ScoringStrategy { get; init; }
}

/// <summary>scoringStrategy: the type, the resources with weights, and the shape for RequestedToCapacityRatio.</summary>
internal sealed class ScoringStrategyArgs
{
    public string? Type { get; init; }

    public List<ResourceSpecArgs>? Resources { get; init; }

    public RequestedToCapacityRatioArgs? RequestedToCapacityRatio { get; init; }
}

internal sealed class ResourceSpecArgs
{
    public string? Name { get; init; }

    public long Weight { get; init; }
}

internal sealed class RequestedToCapacityRatioArgs
{
    public List<UtilizationShapePointArgs>? Shape { get; init; }
}

internal sealed class UtilizationShapePointArgs
{
    public int Utilization { get; init; }

    public int Score { get; init; }
}
