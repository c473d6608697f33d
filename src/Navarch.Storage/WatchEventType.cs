namespace Navarch.Storage;

public enum WatchEventType
{
    Put,
    Delete,
}
