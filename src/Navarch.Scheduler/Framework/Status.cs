namespace Navarch.Scheduler.Framework;

/// <summary>
/// The result of a plugin call, as kube-scheduler's framework <c>Status</c>: expected outcomes such as "does not
/// fit" are values, not exceptions. <see cref="Reasons"/> are the user-facing messages that end up in the
/// <c>FailedScheduling</c> event ("Insufficient cpu", "node(s) had untolerated taint {...}").
/// </summary>
public sealed class Status
{
    private static readonly string[] NoReasons = [];

    /// <summary>The shared success value; plugins return it instead of allocating.</summary>
    public static Status Success { get; } = new(StatusCode.Success, NoReasons, null, null);

    /// <summary>The shared skip value.</summary>
    public static Status Skip { get; } = new(StatusCode.Skip, NoReasons, null, null);

    private Status(StatusCode code, IReadOnlyList<string> reasons, string? plugin, Exception? error)
    {
        Code = code;
        Reasons = reasons;
        Plugin = plugin;
        Error = error;
    }

    public StatusCode Code { get; }

    public IReadOnlyList<string> Reasons { get; }

    /// <summary>The plugin that produced the status, filled in by the framework runtime.</summary>
    public string? Plugin { get; }

    /// <summary>The failure behind an <see cref="StatusCode.Error"/> status.</summary>
    public Exception? Error { get; }

    public bool IsSuccess => Code == StatusCode.Success;

    public bool IsSkip => Code == StatusCode.Skip;

    /// <summary>True for Unschedulable, UnschedulableAndUnresolvable and Pending, as kube-scheduler's IsRejected.</summary>
    public bool IsRejected => Code is StatusCode.Unschedulable or StatusCode.UnschedulableAndUnresolvable or StatusCode.Pending;

    /// <summary>The reasons joined with ", ", as kube-scheduler's Status.Message.</summary>
    public string Message => Reasons.Count switch
    {
        0 => Error?.Message ?? string.Empty,
        1 => Reasons[0],
        _ => string.Join(", ", Reasons),
    };

    public static Status Create(StatusCode code, params string[] reasons) =>
        code == StatusCode.Success && reasons.Length == 0 ? Success : new(code, reasons, null, null);

    public static Status Unschedulable(params string[] reasons) => new(StatusCode.Unschedulable, reasons, null, null);

    public static Status UnschedulableAndUnresolvable(params string[] reasons) =>
        new(StatusCode.UnschedulableAndUnresolvable, reasons, null, null);

    public static Status AsError(Exception error) => new(StatusCode.Error, [error.Message], null, error);

    public static Status AsError(string message) => AsError(new InvalidOperationException(message));

    /// <summary>A copy that names the plugin it came from; Success and Skip stay shared.</summary>
    public Status WithPlugin(string plugin) =>
        ReferenceEquals(this, Success) || Plugin == plugin ? this : new(Code, Reasons, plugin, Error);

    public override string ToString() => Reasons.Count == 0 ? Code.ToString() : $"{Code}: {Message}";
}
