using System.Text;

namespace Navarch.Client.Serving;

/// <summary>What a component reports through its <see cref="ComponentServer"/>.</summary>
public interface IComponentHealth
{
    /// <summary>Named checks; a failing one turns <c>/healthz</c> into a 500 that lists it, as Kubernetes' healthz does.</summary>
    IReadOnlyList<(string Name, Func<bool> Check)> HealthChecks { get; }

    /// <summary>Appends the component's metrics in the Prometheus text format.</summary>
    void RenderMetrics(StringBuilder text);
}
