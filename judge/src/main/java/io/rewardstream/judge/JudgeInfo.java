package io.rewardstream.judge;

/**
 * Identity of a judge, carried by every result.
 *
 * @param id model id from judge.json
 * @param version judge version from judge.json
 * @param modelHash SHA-256 (hex) of the ONNX model file
 * @param mode scoring mode: greedy, vote or reflect
 */
public record JudgeInfo(String id, String version, String modelHash, String mode) {}
