namespace Navarch.ApiServer.Watch;

public enum CacheEventType
{
    Added,
    Modified,
    Deleted,
}
