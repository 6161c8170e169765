package io.rewardstream.config;

/**
 * One configuration key of ours: its default ("" = none) and what it means, for README and {@code
 * --help}.
 */
public record ConfigKey(String name, String defaultValue, String doc) {}
