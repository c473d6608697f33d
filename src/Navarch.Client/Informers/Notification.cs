namespace Navarch.Client.Informers;

internal enum NotificationKind
{
    Add,
    Update,
    Delete,

    /// <summary>Everything of the initial state is ahead of this in the handler's queue.</summary>
    Synced,
}

/// <summary>One queued call to a handler. <c>Flag</c> is isInInitialList for adds and finalStateUnknown for deletes.</summary>
internal readonly record struct Notification<T>(NotificationKind Kind, T? Old, T? New, bool Flag)
    where T : class;
