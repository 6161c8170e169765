package io.rewardstream.schemas.registry;

/**
 * Marks the exceptions that say the schema registry itself failed (unreachable, or refusing
 * RewardStream's requests), as opposed to a record that cannot be decoded. A record is never
 * dead-lettered for one of these: the fault is not the record's, and the same record decodes once
 * the registry is back.
 */
public interface RegistryFailure {}
