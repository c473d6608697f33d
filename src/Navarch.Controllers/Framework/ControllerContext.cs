using k8s;
using Microsoft.Extensions.Logging;
using Navarch.Client.Events;
using Navarch.Client.Informers;

namespace Navarch.Controllers.Framework;

/// <summary>What every controller is built from: the API client, the shared informers, events, time and options.</summary>
public sealed class ControllerContext(
    IKubernetes client,
    SharedInformerFactory informers,
    Func<string, IEventRecorder> recorders,
    ControllerManagerOptions options,
    ILoggerFactory loggers,
    TimeProvider time)
{
    public IKubernetes Client { get; } = client;

    /// <summary>The one informer per resource every controller shares; register handlers in constructors.</summary>
    public SharedInformerFactory Informers { get; } = informers;

    public ControllerManagerOptions Options { get; } = options;

    public ILoggerFactory Loggers { get; } = loggers;

    public TimeProvider Time { get; } = time;

    /// <summary>The recorder for a component name such as "replicaset-controller" (the events' source).</summary>
    public IEventRecorder Recorder(string component) => recorders(component);
}
